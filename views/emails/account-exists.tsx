/** @jsxImportSource hono/jsx */
import type { Mail } from "../../src/mail/mailer";
import { EmailButton, EmailHeading, EmailLayout, EmailText, renderEmail } from "./email-layout";

/**
 * Sent instead of a verification mail when someone registers with an address that already has an
 * account: the form answers exactly as for a new address (no "already exists" for anyone to read),
 * and only the owner of the inbox learns what happened.
 */
export async function accountExistsMail(props: { to: string; loginUrl: string; resetUrl: string; baseUrl: string }): Promise<Mail> {
  const subject = "You already have a LiteKPI account";
  const text = [
    "Someone (hopefully you) tried to register a new LiteKPI account with this address, but it already has one.",
    "",
    "Sign in here:",
    props.loginUrl,
    "",
    "Forgot your password? Choose a new one here:",
    props.resetUrl,
    "",
    "If it was not you, ignore this email: nothing changed and your password stays as it is.",
    "",
    `Sent by LiteKPI at ${props.baseUrl}`,
  ].join("\n");
  const html = await renderEmail(
    <EmailLayout title={subject} preheader="Sign in, or reset your password if you forgot it." baseUrl={props.baseUrl}>
      <EmailHeading>You already have an account</EmailHeading>
      <EmailText>
        Someone (hopefully you) tried to register a new LiteKPI account with <strong>{props.to}</strong>, but this address already has one.
      </EmailText>
      <EmailButton href={props.loginUrl}>Sign in</EmailButton>
      <EmailText>
        Forgot your password? <a href={props.resetUrl}>Choose a new one</a>.
      </EmailText>
      <EmailText muted>If it was not you, ignore this email: nothing changed and your password stays as it is.</EmailText>
    </EmailLayout>,
  );
  return { to: props.to, subject, text, html };
}
