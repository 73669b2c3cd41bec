/** @jsxImportSource hono/jsx */
import type { Mail } from "../../src/mail/mailer";
import { EMAIL_TOKENS, EmailLayout } from "./email-layout";
import type { ReportContent, ReportWidget } from "../../src/reports/report-content";

/**
 * The report email (FR-6.x): 600 px, the UI tokens inline (mail clients drop stylesheets, and
 * mail is not under the page CSP), every widget as an inline CID image in dashboard order (number
 * cards two to a row), a link back to the live dashboard, this recipient's own unsubscribe link,
 * and a plain-text twin with the numbers. No external assets: clients that block remote images
 * still show inline ones.
 */
const T = EMAIL_TOKENS;
const GAP = 16;

export type ReportEmailProps = {
  content: ReportContent;
  to: string;
  unsubscribeUrl: string;
  scheduleLabel: string; // "Every Monday at 09:00"
  isTest: boolean;
  baseUrl: string;
};

export function reportEmail(props: ReportEmailProps): Mail {
  const { content } = props;
  const subject = `${props.isTest ? "[Test] " : ""}${content.dashboardName} · ${content.productName} — ${content.asOf.split(",")[0]}`;
  return {
    to: props.to,
    subject,
    text: reportText(props),
    html: "<!doctype html>" + String(<ReportHtml {...props} />),
    attachments: content.widgets.map((w, i) => ({ filename: `${i + 1}-${slug(w.title)}.png`, content: w.snapshot.png, contentType: "image/png", cid: w.cid })),
    // Mail clients show their own "Unsubscribe" button; one-click means a POST to the same URL (RFC 8058).
    headers: { "List-Unsubscribe": `<${props.unsubscribeUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
  };
}

function ReportHtml(props: ReportEmailProps) {
  const { content } = props;
  const meta = [content.rangeLabel, `as of ${content.asOf} (${content.timezone.replaceAll("_", " ")})`].filter(Boolean).join(" · ");
  const preheader = content.widgets
    .filter((w) => w.headline)
    .map((w) => w.alt)
    .slice(0, 3)
    .join(" · ");
  return (
    <EmailLayout
      title={`${content.dashboardName} · ${content.productName}`}
      preheader={preheader || undefined}
      baseUrl={props.baseUrl}
      compact
      footer={
        <>
          You get this report ({lowerFirst(props.scheduleLabel)}, {content.timezone.replaceAll("_", " ")} time) as {props.to}.{" "}
          <a href={props.unsubscribeUrl} style={`color:${T.muted};text-decoration:underline`}>
            Unsubscribe
          </a>{" "}
          stops it for this address only.
        </>
      }
    >
      {props.isTest ? (
        <p style={`margin:0 0 16px;padding:8px 12px;border-radius:6px;background:#eef2ff;color:${T.accent};font-size:13px;font-weight:600`}>
          Test send — the schedule's next run is unchanged.
        </p>
      ) : null}
      <p style={`margin:0 0 4px;font-size:13px;font-weight:600;color:${T.accent}`}>{content.productName}</p>
      <h1 style={`margin:0 0 6px;font-size:22px;line-height:1.3;font-weight:600;color:${T.text}`}>{content.dashboardName}</h1>
      <p style={`margin:0 0 20px;font-size:13px;line-height:1.5;color:${T.muted}`}>{meta}</p>
      {content.widgets.length ? (
        <WidgetRows widgets={content.widgets} />
      ) : (
        <p style={`margin:0 0 16px;font-size:15px;color:${T.muted}`}>This dashboard has no widgets yet. Add some on the dashboard and the next report shows them.</p>
      )}
      <table role="presentation" cellpadding="0" cellspacing="0" style="margin:8px 0 0">
        <tr>
          <td style={`border-radius:6px;background:${T.accent}`}>
            <a href={content.dashboardUrl} style="display:inline-block;padding:11px 18px;font-size:14px;font-weight:600;color:#ffffff;text-decoration:none;border-radius:6px">
              Open the live dashboard
            </a>
          </td>
        </tr>
      </table>
    </EmailLayout>
  );
}

/** Full-width cards one per row; consecutive half-width cards (numbers) two per row, like the web grid. */
function WidgetRows(props: { widgets: ReportWidget[] }) {
  const rows: ReportWidget[][] = [];
  for (const w of props.widgets) {
    const last = rows[rows.length - 1];
    if (w.half && last && last.length === 1 && last[0]!.half) last.push(w);
    else rows.push([w]);
  }
  return (
    <table role="presentation" width="100%" cellpadding="0" cellspacing="0">
      {rows.map((row) => (
        <tr>
          <td style={`padding:0 0 ${GAP}px`}>
            {row.length === 1 && !row[0]!.half ? (
              <Img w={row[0]!} />
            ) : (
              <table role="presentation" width="100%" cellpadding="0" cellspacing="0">
                <tr>
                  <td width={String(row[0]!.snapshot.width / 2)} valign="top">
                    <Img w={row[0]!} />
                  </td>
                  <td width={String(GAP)}></td>
                  <td width={String(row[0]!.snapshot.width / 2)} valign="top">
                    {row[1] ? <Img w={row[1]} /> : null}
                  </td>
                </tr>
              </table>
            )}
          </td>
        </tr>
      ))}
    </table>
  );
}

/** The PNG is 2× its CSS size: width/height attributes give the CSS size (Outlook needs them). */
function Img(props: { w: ReportWidget }) {
  const { snapshot } = props.w;
  const width = snapshot.width / 2;
  const height = snapshot.height / 2;
  return (
    <img
      src={`cid:${props.w.cid}`}
      width={String(width)}
      height={String(height)}
      alt={props.w.alt}
      style={`display:block;width:100%;max-width:${width}px;height:auto;border:0;outline:none;text-decoration:none`}
    />
  );
}

function reportText(props: ReportEmailProps): string {
  const { content } = props;
  const lines = [
    `${content.productName} · ${content.dashboardName}`,
    [content.rangeLabel, `as of ${content.asOf} (${content.timezone})`].filter(Boolean).join(" · "),
    props.isTest ? "Test send — the schedule's next run is unchanged." : null,
    "",
  ].filter((l) => l !== null) as string[];
  for (const w of content.widgets) lines.push(...w.text, "");
  if (!content.widgets.length) lines.push("This dashboard has no widgets yet.", "");
  lines.push(`Open the live dashboard: ${content.dashboardUrl}`, "");
  lines.push(`You get this report (${lowerFirst(props.scheduleLabel)}, ${content.timezone} time) as ${props.to}.`);
  lines.push(`Unsubscribe (this address only): ${props.unsubscribeUrl}`);
  return lines.join("\n");
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 40) || "widget";
