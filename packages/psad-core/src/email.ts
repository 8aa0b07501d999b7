import type { EmailMessage } from "./alerts.ts";
import { PsadError } from "./errors.ts";

/** SMTP settings of {@link createSmtpMailer}. */
export interface SmtpMailerOptions {
  host: string;
  /** Default 25 (465 when `secure`). */
  port?: number;
  /** Implicit TLS (SMTPS, port 465). */
  secure?: boolean;
  /** Fail unless the server offers STARTTLS. */
  requireTLS?: boolean;
  /** Never use STARTTLS even when offered. */
  ignoreTLS?: boolean;
  /** Verify the server certificate (default true). */
  rejectUnauthorized?: boolean;
  auth?: { user: string; pass: string };
  /** Envelope and header sender, e.g. `psad@fw.example.org` (psad's `mail` used the local user). */
  from: string;
  /** Name sent in EHLO (default: nodemailer's, the host name). */
  name?: string;
  /** Connection / greeting / socket timeout (default 10,000 ms). */
  timeoutMs?: number;
  /** Extra headers on every message (psad's EMAIL_APPEND_HEADER use case). */
  headers?: Record<string, string>;
}

/** Result of one delivery. */
export interface MailReceipt {
  messageId: string;
  accepted: string[];
  rejected: string[];
}

/** Sends alert e-mails over SMTP. */
export interface Mailer {
  /** Deliver one message; rejects with PSAD_ALERT_DELIVERY_FAILED. */
  send(message: EmailMessage): Promise<MailReceipt>;
  /** Close pooled connections (none are kept; provided for symmetry). */
  close(): void;
}

type NodemailerTransport = {
  sendMail(m: Record<string, unknown>): Promise<{ messageId: string; accepted: unknown[]; rejected: unknown[] }>;
  close(): void;
};

/**
 * E-mail transport over SMTP with nodemailer (no shell, no `mail` command; the subject is a header, not
 * an argument). nodemailer is imported on the first `send`, so library users who never mail never load it.
 * @param options - SMTP host/port/TLS/auth and the sender address
 * @returns `{ send, close }`
 * @example
 * const mailer = createSmtpMailer({ host: "127.0.0.1", port: 25, from: "psad@fw.example.org" });
 * for (const m of plan.emails) await mailer.send(m);
 */
export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  let transport: Promise<NodemailerTransport> | undefined;
  const timeout = options.timeoutMs ?? 10_000;
  const load = (): Promise<NodemailerTransport> => {
    transport ??= import("nodemailer").then((nm) => {
      return nm.createTransport({
        host: options.host,
        port: options.port ?? (options.secure ? 465 : 25),
        secure: options.secure ?? false,
        requireTLS: options.requireTLS ?? false,
        ignoreTLS: options.ignoreTLS ?? false,
        auth: options.auth,
        name: options.name,
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
        tls: { rejectUnauthorized: options.rejectUnauthorized ?? true },
      }) as unknown as NodemailerTransport;
    });
    return transport;
  };
  return {
    async send(message) {
      let t: NodemailerTransport;
      try {
        t = await load();
      } catch (e) {
        throw new PsadError(
          "PSAD_ALERT_DELIVERY_FAILED",
          `cannot load nodemailer: ${(e as Error).message}`,
          {},
          { cause: e },
        );
      }
      try {
        const info = await t.sendMail({
          from: options.from,
          to: message.to,
          subject: message.subject.replace(/[\r\n]+/g, " "),
          text: message.text,
          headers: options.headers,
        });
        return { messageId: info.messageId, accepted: info.accepted.map(String), rejected: info.rejected.map(String) };
      } catch (e) {
        throw new PsadError(
          "PSAD_ALERT_DELIVERY_FAILED",
          `smtp ${options.host}: ${(e as Error).message}`,
          { host: options.host, port: options.port, subject: message.subject },
          { cause: e },
        );
      }
    },
    close() {
      void transport?.then((t) => t.close()).catch(() => undefined);
    },
  };
}
