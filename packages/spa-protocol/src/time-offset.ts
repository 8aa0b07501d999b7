import { SpaError } from "./errors.ts";

const UNITS: Record<string, number> = {
  "": 1,
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hour: 3600,
  hours: 3600,
  d: 86400,
  day: 86400,
  days: 86400,
};

/**
 * Parse an fwknop time offset (`--time-offset-plus 5min`, rc `TIME_OFFSET -1s`): integer plus optional unit
 * s/m/min/h/hour/d/day(s); a leading `-` makes it negative.
 * @returns seconds
 * @throws {SpaError} SPA_INVALID_ARGUMENT on bad syntax
 */
export function parseTimeOffset(text: string): number {
  const m = /^\s*([+-]?)(\d{1,9})\s*([a-z]*)\s*$/i.exec(text);
  const mult = m ? UNITS[(m[3] ?? "").toLowerCase()] : undefined;
  if (!m || mult === undefined) throw new SpaError("SPA_INVALID_ARGUMENT", "invalid time offset", { value: text });
  const v = Number(m[2]) * mult;
  return m[1] === "-" ? -v : v;
}
