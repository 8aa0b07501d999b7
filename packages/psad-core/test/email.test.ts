import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmailMessage } from "../src/alerts.ts";
import { createSmtpMailer } from "../src/email.ts";

interface Received {
  from: string;
  rcpt: string[];
  data: string;
}

/** A minimal SMTP server on 127.0.0.1 (EHLO/MAIL/RCPT/DATA/RSET/NOOP/QUIT), recording each message. */
function smtpServer(opts: { rejectRcpt?: string } = {}): { server: Server; received: Received[] } {
  const received: Received[] = [];
  const server = createServer((sock) => {
    let buf = "";
    let inData = false;
    let cur: Received = { from: "", rcpt: [], data: "" };
    const reply = (s: string) => sock.write(`${s}\r\n`);
    reply("220 test.local ESMTP fwkit-test");
    sock.on("data", (d) => {
      buf += d.toString("latin1");
      for (;;) {
        if (inData) {
          const end = buf.indexOf("\r\n.\r\n");
          if (end < 0) return;
          cur.data = buf.slice(0, end + 2).replace(/^\.\./gm, ".");
          buf = buf.slice(end + 5);
          inData = false;
          received.push(cur);
          cur = { from: "", rcpt: [], data: "" };
          reply("250 2.0.0 queued");
          continue;
        }
        const nl = buf.indexOf("\r\n");
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO" || verb === "HELO") reply("250-test.local\r\n250-8BITMIME\r\n250 SMTPUTF8");
        else if (verb === "MAIL") {
          cur.from = /<([^>]*)>/.exec(line)?.[1] ?? "";
          reply("250 2.1.0 ok");
        } else if (verb === "RCPT") {
          const to = /<([^>]*)>/.exec(line)?.[1] ?? "";
          if (to === opts.rejectRcpt) reply("550 5.1.1 no such user");
          else {
            cur.rcpt.push(to);
            reply("250 2.1.5 ok");
          }
        } else if (verb === "DATA") {
          inData = true;
          reply("354 go ahead");
        } else if (verb === "RSET" || verb === "NOOP") reply("250 ok");
        else if (verb === "QUIT") {
          reply("221 bye");
          sock.end();
        } else reply("502 5.5.2 not implemented");
      }
    });
  });
  return { server, received };
}

const body = [
  "=-=-=-=-=-=-=-=-=-=-=-= Sun Nov 22 00:00:00 2026 =-=-=-=-=-=-=-=-=-=-=-=",
  "",
  "         Danger level: [2] (out of 5)",
  ".leading dot line",
  "",
].join("\n");
const msg: EmailMessage = {
  kind: "alert",
  to: ["root@localhost", "soc@example.org"],
  subject: "[psad-alert] DL2 src: 192.0.2.7 dst: 198.51.100.1",
  text: body,
  src: "192.0.2.7",
  dst: "198.51.100.1",
};

describe("createSmtpMailer (nodemailer) against a local SMTP server", () => {
  const { server, received } = smtpServer({ rejectRcpt: "nobody@example.org" });
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("delivers envelope, headers and the alert body", async () => {
    const mailer = createSmtpMailer({
      host: "127.0.0.1",
      port,
      from: "psad@fw1.example.org",
      name: "fw1.example.org",
      headers: { "X-Psad-Host": "fw1" },
    });
    const receipt = await mailer.send(msg);
    mailer.close();
    expect(receipt.accepted).toEqual(["root@localhost", "soc@example.org"]);
    const got = received.at(-1) as Received;
    expect(got.from).toBe("psad@fw1.example.org");
    expect(got.rcpt).toEqual(["root@localhost", "soc@example.org"]);
    const [head, ...rest] = got.data.split("\r\n\r\n");
    expect(head).toMatch(/^Subject: \[psad-alert\] DL2 src: 192\.0\.2\.7 dst: 198\.51\.100\.1$/m);
    expect(head).toMatch(/^From: psad@fw1\.example\.org$/m);
    expect(head).toMatch(/^To: root@localhost, soc@example\.org$/m);
    expect(head).toMatch(/^X-Psad-Host: fw1$/m);
    expect(head).toMatch(/^Content-Type: text\/plain/m);
    expect(rest.join("\r\n\r\n").replace(/\r\n/g, "\n")).toBe(body);
  });

  it("a CR/LF in the subject cannot inject headers", async () => {
    const mailer = createSmtpMailer({ host: "127.0.0.1", port, from: "psad@fw1.example.org" });
    await mailer.send({ ...msg, subject: "[psad-alert] x\r\nBcc: evil@example.org" });
    const head = (received.at(-1) as Received).data.split("\r\n\r\n")[0] as string;
    expect(head).not.toMatch(/^Bcc:/m);
    expect(head).toMatch(/^Subject: \[psad-alert\] x Bcc: evil@example\.org$/m);
  });

  it("rejections and unreachable servers become PSAD_ALERT_DELIVERY_FAILED", async () => {
    const mailer = createSmtpMailer({ host: "127.0.0.1", port, from: "psad@fw1.example.org" });
    await expect(mailer.send({ ...msg, to: ["nobody@example.org"] })).rejects.toMatchObject({
      code: "PSAD_ALERT_DELIVERY_FAILED",
    });
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const deadPort = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const dead = createSmtpMailer({ host: "127.0.0.1", port: deadPort, from: "a@b.c", timeoutMs: 2000 });
    await expect(dead.send(msg)).rejects.toMatchObject({ code: "PSAD_ALERT_DELIVERY_FAILED" });
  });
});
