/** @jsxImportSource hono/jsx */
import type { Mail } from "../../src/mail/mailer";
import { EmailButton, EmailHeading, EmailLayout, EmailText, renderEmail } from "./email-layout";

/** FR-1.4: the password-reset mail. The link works once and for one hour. */
export async function resetPasswordMail(props: { to: string; url: string; baseUrl: string }): Promise<Mail> {
  const subject = "Reset your LiteKPI password";
  const text = [
    "Someone (hopefully you) asked to reset the password of your LiteKPI account.",
    "",
    "Choose a new password here:",
    props.url,
    "",
    "The link works once and expires in 1 hour. Setting a new password signs you out everywhere else.",
    "If you did not ask for this, ignore this email: your password stays as it is.",
    "",
    `Sent by LiteKPI at ${props.baseUrl}`,
  ].join("\n");
  const html = await renderEmail(
    <EmailLayout title={subject} preheader="Choose a new password. The link expires in 1 hour." baseUrl={props.baseUrl}>
      <EmailHeading>Reset your password</EmailHeading>
      <EmailText>
        Someone (hopefully you) asked to reset the password of the LiteKPI account <strong>{props.to}</strong>.
      </EmailText>
      <EmailButton href={props.url}>Choose a new password</EmailButton>
      <EmailText muted>
        The link works once and expires in 1 hour. Setting a new password signs you out on every other device. If you did not ask for
        this, ignore this email: your password stays as it is.
      </EmailText>
    </EmailLayout>,
  );
  return { to: props.to, subject, text, html };
}
