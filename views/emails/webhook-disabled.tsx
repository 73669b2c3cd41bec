/** @jsxImportSource hono/jsx */
import type { Mail } from "../../src/mail/mailer";
import { EmailButton, EmailHeading, EmailLayout, EmailText, renderEmail } from "./email-layout";

/** To the product's owners when the server switched a webhook endpoint off after persistent failure (src/webhooks/deliver.ts). */
export async function webhookDisabledEmail(p: { to: string[]; productName: string; endpointUrl: string; reason: string; url: string; baseUrl: string }): Promise<Mail> {
  const subject = `A webhook of ${p.productName} was switched off on LiteKPI`;
  const line = `Deliveries to ${p.endpointUrl} kept failing, so LiteKPI stopped sending to it.`;
  const text = [line, "", p.reason, "", "Its delivery log, and the switch to enable it again:", p.url, "", `Sent by LiteKPI at ${p.baseUrl}`].join("\n");
  const html = await renderEmail(
    <EmailLayout title={subject} preheader={line} baseUrl={p.baseUrl}>
      <EmailHeading>A webhook was switched off</EmailHeading>
      <EmailText>{line}</EmailText>
      <EmailText>{p.reason}</EmailText>
      <EmailButton href={p.url}>Open the webhook</EmailButton>
    </EmailLayout>,
  );
  return { to: p.to, subject, text, html };
}
