import { createSocket } from "node:dgram";
import { connect, isIPv6 } from "node:net";
import type { ServerProto } from "./client.ts";
import { SpaError } from "./errors.ts";

/** Where and how to send a packet. */
export interface SendTarget {
  host: string;
  port: number;
  proto: ServerProto;
  /** HTTP mode User-Agent; default `Fwknop/2.6.10`. */
  userAgent?: string;
  /** Local source port (`-S`). */
  sourcePort?: number;
  /** Milliseconds before giving up on TCP/HTTP connects (default 5000). */
  timeoutMs?: number;
}

/**
 * The HTTP request fwknop's `-P http` sends: `GET /<data> HTTP/1.1` with `+`→`-`, `/`→`_`.
 * @param wire - SPA wire string
 * @param host - server name for the Host header
 */
export function formatHttpRequest(wire: string, host: string, userAgent = "Fwknop/2.6.10"): string {
  const data = wire.replaceAll("+", "-").replaceAll("/", "_");
  return `GET /${data} HTTP/1.1\r\nUser-Agent: ${userAgent}\r\nAccept: */*\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;
}

/**
 * Send a wire string: one UDP datagram (no newline), or a TCP connection carrying it, or an HTTP GET.
 * Nothing is ever expected back (fwknopd never answers).
 * @returns the number of bytes written
 * @throws {SpaError} SPA_SEND_FAILED on socket errors
 */
export function sendSpa(wire: string, target: SendTarget): Promise<number> {
  const payload =
    target.proto === "http" ? Buffer.from(formatHttpRequest(wire, target.host, target.userAgent)) : Buffer.from(wire);
  if (target.proto === "udp") {
    return new Promise((resolve, reject) => {
      const sock = createSocket(isIPv6(target.host) ? "udp6" : "udp4");
      sock.on("error", (e) => {
        sock.close();
        reject(
          new SpaError("SPA_SEND_FAILED", "UDP send failed", { host: target.host, port: target.port }, { cause: e }),
        );
      });
      const go = () =>
        sock.send(payload, target.port, target.host, (err) => {
          sock.close();
          if (err)
            reject(
              new SpaError(
                "SPA_SEND_FAILED",
                "UDP send failed",
                { host: target.host, port: target.port },
                { cause: err },
              ),
            );
          else resolve(payload.length);
        });
      if (target.sourcePort) sock.bind(target.sourcePort, go);
      else go();
    });
  }
  return new Promise((resolve, reject) => {
    const sock = connect({
      host: target.host,
      port: target.port,
      ...(target.sourcePort ? { localPort: target.sourcePort } : {}),
    });
    sock.setTimeout(target.timeoutMs ?? 5000, () => sock.destroy(new Error("timeout")));
    sock.on("error", (e) =>
      reject(
        new SpaError(
          "SPA_SEND_FAILED",
          `${target.proto.toUpperCase()} send failed`,
          { host: target.host, port: target.port },
          { cause: e },
        ),
      ),
    );
    sock.on("connect", () => sock.end(payload, () => resolve(payload.length)));
  });
}
