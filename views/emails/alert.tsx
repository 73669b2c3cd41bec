/** @jsxImportSource hono/jsx */
import type { Mail } from "../../src/mail/mailer";
import { formatValue, summary, type AlertPayload } from "../../src/alerts/payload";
import { EmailButton, EmailHeading, EmailLayout, EmailText, renderEmail } from "./email-layout";

/** One alert notification (an episode started or resolved), with a link to the chart at that moment. */
export async function alertEmail(to: string[], p: AlertPayload, baseUrl: string): Promise<Mail> {
  const { title, line } = summary(p);
  const subject = `[${p.alert.productName}] ${title}`;
  const facts = [`State: ${p.state}`, `Value: ${formatValue(p.value)}`, `Threshold: ${formatValue(p.threshold)}`, `At: ${p.at}`];
  const text = [line, "", ...facts, "", "The chart at that moment:", p.url, "", `Sent by LiteKPI at ${baseUrl}`].join("\n");
  const html = await renderEmail(
    <EmailLayout title={subject} preheader={line} baseUrl={baseUrl}>
      <EmailHeading>{title}</EmailHeading>
      <EmailText>{line}</EmailText>
      <EmailText muted>{facts.join(" · ")}</EmailText>
      <EmailButton href={p.url}>Open the chart</EmailButton>
    </EmailLayout>,
  );
  return { to, subject, text, html };
}

/** Seed 003 FR-3's email digest: every notification of one channel's period in one mail. */
export async function alertDigestEmail(to: string[], items: AlertPayload[], period: string, baseUrl: string): Promise<Mail> {
  const productName = items[0]!.alert.productName;
  const firing = items.filter((i) => i.state === "firing").length;
  const subject = `[${productName}] Alert digest: ${firing} fired, ${items.length - firing} resolved (${period})`;
  const lines = items.map((i) => `${summary(i).line}\n  ${i.url}`);
  const text = [subject, "", ...lines, "", `Sent by LiteKPI at ${baseUrl}`].join("\n");
  const html = await renderEmail(
    <EmailLayout title={subject} preheader={subject} baseUrl={baseUrl}>
      <EmailHeading>Alert digest ({period})</EmailHeading>
      {items.map((i) => (
        <EmailText>
          <a href={i.url}>{summary(i).title}</a> — {summary(i).line}
        </EmailText>
      ))}
    </EmailLayout>,
  );
  return { to, subject, text, html };
}
