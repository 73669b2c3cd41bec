/** @jsxImportSource hono/jsx */
import type { Mail } from "../../src/mail/mailer";
import { EmailButton, EmailHeading, EmailLayout, EmailText, renderEmail } from "./email-layout";

/** FR-1.2: the verification mail. The link works once and for 24 hours. */
export async function verifyEmailMail(props: { to: string; url: string; baseUrl: string }): Promise<Mail> {
  const subject = "Confirm your email for LiteKPI";
  const text = [
    "Welcome to LiteKPI.",
    "",
    "Confirm your email address to finish creating your account:",
    props.url,
    "",
    "The link works once and expires in 24 hours.",
    "If you did not create a LiteKPI account, ignore this email: nothing happens without the link.",
    "",
    `Sent by LiteKPI at ${props.baseUrl}`,
  ].join("\n");
  const html = await renderEmail(
    <EmailLayout title={subject} preheader="Confirm your address to finish creating your account." baseUrl={props.baseUrl}>
      <EmailHeading>Confirm your email</EmailHeading>
      <EmailText>
        Welcome to LiteKPI. Confirm that <strong>{props.to}</strong> is your address to finish creating your account.
      </EmailText>
      <EmailButton href={props.url}>Confirm email address</EmailButton>
      <EmailText muted>
        The link works once and expires in 24 hours. If you did not create a LiteKPI account, ignore this email: nothing happens without the link.
      </EmailText>
    </EmailLayout>,
  );
  return { to: props.to, subject, text, html };
}
