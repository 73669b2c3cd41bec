/** @jsxImportSource hono/jsx */
import type { Mail } from "../../src/mail/mailer";
import { EmailButton, EmailHeading, EmailLayout, EmailText, renderEmail } from "./email-layout";

export type UsageMailProps = {
  to: string[];
  productName: string;
  threshold: number; // 80, 90 or 100
  used: number;
  limit: number;
  mode: "pause" | "keep";
  month: string; // 2026-12 (UTC)
  url: string; // the product's data settings
  baseUrl: string;
};

const n = (x: number) => x.toLocaleString("en-US");

/** What happens at the limit, in the words of the product's choice. */
function consequence(p: UsageMailProps): string {
  if (p.threshold < 100) {
    return p.mode === "pause"
      ? "At 100 % LiteKPI stops accepting points and events for this product (429 quota_exceeded) until the month ends or you raise the limit."
      : "At 100 % LiteKPI keeps accepting data (the limit is set to keep ingesting); you will get one more mail.";
  }
  return p.mode === "pause"
    ? "Ingestion is paused: new points and events are refused with 429 quota_exceeded until the month ends (UTC) or you raise the limit."
    : "Ingestion goes on (the limit is set to keep ingesting past it).";
}

/** Seed 001 FR-10: the mail at 80, 90 and 100 % of a product's monthly limit, once each per month. */
export async function usageLimitEmail(p: UsageMailProps): Promise<Mail> {
  const subject = `${p.productName} used ${p.threshold} % of its monthly limit on LiteKPI`;
  const line = `${p.productName} stored ${n(p.used)} of its ${n(p.limit)} points and events for ${p.month} (UTC).`;
  const text = [line, "", consequence(p), "", "Usage and the limit:", p.url, "", `Sent by LiteKPI at ${p.baseUrl}`].join("\n");
  const html = await renderEmail(
    <EmailLayout title={subject} preheader={line} baseUrl={p.baseUrl}>
      <EmailHeading>
        {p.threshold} % of the monthly limit
      </EmailHeading>
      <EmailText>{line}</EmailText>
      <EmailText>{consequence(p)}</EmailText>
      <EmailButton href={p.url}>Usage and limit</EmailButton>
    </EmailLayout>,
  );
  return { to: p.to, subject, text, html };
}
