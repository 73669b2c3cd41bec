import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { SendMailOptions, Transporter } from "nodemailer";
import { writeFileAtomic } from "../lib/atomic-write";
import type { Db } from "../db/connection";
import { outbox } from "../db/schema";
import type { Logger } from "../lib/log";
import type { Clock } from "../lib/clock";
import { newId } from "../lib/tokens";

export type MailAttachment = { filename: string; content: Uint8Array | Buffer; contentType: string; cid?: string };
/** `headers`: extra message headers, e.g. List-Unsubscribe on report mails (RFC 2369 / 8058). */
export type Mail = { to: string | string[]; subject: string; text: string; html?: string; attachments?: MailAttachment[]; headers?: Record<string, string> };
export type Mailer = { send(mail: Mail): Promise<{ delivered: boolean }>; close(): void };

/**
 * nodemailer over SMTP_URL. With no SMTP configured the mail (with its links) goes to the log
 * and to the outbox table, so a self-hoster without SMTP can still verify and reset; the whole
 * message, attachments included (a report's PNGs are `cid:` parts), is also written as an .eml
 * file under `outboxDir` (DATA_DIR/outbox), named in the log line, which any mail client opens.
 * A failed send throws (callers decide whether to retry) and is recorded in the outbox.
 */
export function createMailer(opts: { smtpUrl?: string; from: string; db: Db; log: Logger; clock: Clock; outboxDir?: string }): Mailer {
  // nodemailer (~70 ms to import) loads at the first mail, not at boot.
  const smtpUrl = opts.smtpUrl;
  let transport: Promise<Transporter> | null = null;
  let closed = false;
  const open = () => (transport ??= import("nodemailer").then((m) => m.default.createTransport(smtpUrl!)));
  // Builds the raw RFC 5322 message without sending it: nodemailer's stream transport.
  let composer: Promise<Transporter> | null = null;
  const compose = () => (composer ??= import("nodemailer").then((m) => m.default.createTransport({ streamTransport: true, buffer: true, newline: "unix" })));
  const message = (mail: Mail): SendMailOptions => ({
    from: opts.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    attachments: mail.attachments?.map((a) => ({ filename: a.filename, content: Buffer.from(a.content), contentType: a.contentType, cid: a.cid })),
    headers: mail.headers,
  });
  /** The .eml of a mail not sent; owner-only (0600): it holds verification and reset links. */
  const keepEml = async (mail: Mail, id: string): Promise<string | undefined> => {
    if (!opts.outboxDir) return undefined;
    const info = (await (await compose()).sendMail(message(mail))) as { message: Buffer };
    mkdirSync(opts.outboxDir, { recursive: true, mode: 0o700 });
    const file = join(opts.outboxDir, `${new Date(opts.clock.now()).toISOString().replace(/[:.]/g, "-")}-${id}.eml`);
    writeFileAtomic(file, info.message, 0o600);
    return file;
  };
  const record = (mail: Mail, status: string, error?: string, id = newId()) =>
    opts.db
      .insert(outbox)
      .values({
        id,
        to: ([] as string[]).concat(mail.to).join(", "),
        subject: mail.subject,
        text: mail.text,
        html: mail.html ?? null,
        status,
        error: error ?? null,
        createdAt: opts.clock.now(),
      })
      .run();
  return {
    async send(mail) {
      if (!smtpUrl) {
        const id = newId();
        // Keeping the copy is a convenience: a full disk must not turn a logged mail into an error.
        const file = await keepEml(mail, id).catch((err) => void opts.log.warn("could not keep the unsent mail as .eml", { dir: opts.outboxDir, err }));
        opts.log.info("mail (no SMTP_URL set; not sent)", { to: mail.to, subject: mail.subject, text: mail.text, ...(file ? { file, view: "open the .eml file with any mail client" } : {}) });
        record(mail, "logged", undefined, id);
        return { delivered: false };
      }
      try {
        if (closed) throw new Error("the mailer is closed");
        await (await open()).sendMail(message(mail));
        record(mail, "sent");
        return { delivered: true };
      } catch (err) {
        record(mail, "failed", String(err));
        throw new Error(`sending mail "${mail.subject}" failed`, { cause: err });
      }
    },
    close() {
      closed = true;
      void transport?.then((t) => t.close());
      void composer?.then((t) => t.close());
    },
  };
}
