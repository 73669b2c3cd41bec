import { SMTPServer } from "smtp-server";
import { simpleParser, type ParsedMail } from "mailparser";

/**
 * A real SMTP server that refuses chosen recipients on demand (550 at RCPT TO), so the report
 * job's retries run against what a mail server really answers, not a stubbed mailer.
 */
export type FlakySmtp = { url: string; messages: ParsedMail[]; refuse: Set<string>; stop(): Promise<void> };

export async function startFlakySmtp(): Promise<FlakySmtp> {
  const messages: ParsedMail[] = [];
  const refuse = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (refuse.has(address.address.toLowerCase()) || refuse.has("*")) {
        const err = new Error(`mailbox ${address.address} unavailable`) as Error & { responseCode: number };
        err.responseCode = 550;
        return callback(err);
      }
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as { port: number }).port;
  return { url: `smtp://127.0.0.1:${port}`, messages, refuse, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}
