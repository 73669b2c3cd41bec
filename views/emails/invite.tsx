/** @jsxImportSource hono/jsx */
import type { Mail } from "../../src/mail/mailer";
import { EmailButton, EmailHeading, EmailLayout, EmailText, renderEmail } from "./email-layout";

/** FR-5.2: the invite mail. The link works once, only for the invited address, for 7 days. */
export async function inviteEmail(props: { to: string; productName: string; inviter: string; url: string; baseUrl: string }): Promise<Mail> {
  const subject = `${props.inviter} invited you to ${props.productName} on LiteKPI`;
  const text = [
    `${props.inviter} invited you to view and edit the dashboards of ${props.productName} on LiteKPI.`,
    "",
    "Accept the invite:",
    props.url,
    "",
    `The link works once, only for ${props.to}, and expires in 7 days.`,
    "If you were not expecting this, ignore this email: nothing happens without the link.",
    "",
    `Sent by LiteKPI at ${props.baseUrl}`,
  ].join("\n");
  const html = await renderEmail(
    <EmailLayout title={subject} preheader={`Join ${props.productName} on LiteKPI.`} baseUrl={props.baseUrl}>
      <EmailHeading>Join {props.productName}</EmailHeading>
      <EmailText>
        {props.inviter} invited you to view and edit the dashboards of <strong>{props.productName}</strong> on LiteKPI.
      </EmailText>
      <EmailButton href={props.url}>Accept the invite</EmailButton>
      <EmailText muted>
        The link works once, only for {props.to}, and expires in 7 days. If you were not expecting this, ignore this email: nothing happens without
        the link.
      </EmailText>
    </EmailLayout>,
  );
  return { to: props.to, subject, text, html };
}
