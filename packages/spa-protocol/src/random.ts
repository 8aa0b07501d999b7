import type { RandomBytes } from "./types.ts";

/**
 * `n` uniformly distributed decimal digits drawn from injected random bytes (rejection sampling, so no bias).
 * @param random - byte source
 * @param n - number of digits
 */
export function randomDigits(random: RandomBytes, n: number): string {
  let out = "";
  while (out.length < n) {
    const bytes = random(n * 2);
    for (const b of bytes) {
      if (b < 250) out += String(b % 10);
      if (out.length === n) break;
    }
  }
  return out;
}
