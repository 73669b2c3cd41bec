import type { Transporter } from "nodemailer";
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
 * and to the outbox table, so a self-hoster without SMTP can still verify and reset.
 * A failed send throws (callers decide whether to retry) and is recorded in the outbox.
 */
export function createMailer(opts: { smtpUrl?: string; from: string; db: Db; log: Logger; clock: Clock }): Mailer {
  // nodemailer (~70 ms to import) loads at the first mail, not at boot.
  const smtpUrl = opts.smtpUrl;
  let transport: Promise<Transporter> | null = null;
  let closed = false;
  const open = () => (transport ??= import("nodemailer").then((m) => m.default.createTransport(smtpUrl!)));
  const record = (mail: Mail, status: string, error?: string) =>
    opts.db
      .insert(outbox)
      .values({
        id: newId(),
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
        opts.log.info("mail (no SMTP_URL set; not sent)", { to: mail.to, subject: mail.subject, text: mail.text });
        record(mail, "logged");
        return { delivered: false };
      }
      try {
        if (closed) throw new Error("the mailer is closed");
        await (await open()).sendMail({
          from: opts.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          attachments: mail.attachments?.map((a) => ({ filename: a.filename, content: Buffer.from(a.content), contentType: a.contentType, cid: a.cid })),
          headers: mail.headers,
        });
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
    },
  };
}
