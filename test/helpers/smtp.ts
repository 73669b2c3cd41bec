import { SMTPServer } from "smtp-server";
import { simpleParser, type ParsedMail } from "mailparser";

export type SmtpSink = {
  url: string;
  messages: ParsedMail[];
  /** Resolves with the first (or next) message matching `pred`, waiting up to `ms`. */
  waitFor(pred?: (m: ParsedMail) => boolean, ms?: number): Promise<ParsedMail>;
  stop(): Promise<void>;
};

/** A real SMTP server on loopback that collects whatever nodemailer sends it. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const waiters: { pred: (m: ParsedMail) => boolean; resolve: (m: ParsedMail) => void }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push(mail);
          for (const w of [...waiters]) {
            if (w.pred(mail)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(mail);
            }
          }
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitFor(pred = () => true, ms = 5000) {
      const found = messages.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching mail within ${ms} ms (got ${messages.length})`)), ms);
        waiters.push({ pred, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      });
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The first link in a mail's text part that starts with `base`. */
export function linkIn(mail: ParsedMail, base: string): string {
  const m = (mail.text ?? "").match(new RegExp(base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "[^\\s)>\"]+"));
  if (!m) throw new Error(`no link to ${base} in mail: ${mail.text}`);
  return m[0];
}
