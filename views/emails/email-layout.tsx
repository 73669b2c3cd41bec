/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";

/**
 * The shared frame of every LiteKPI mail (verification, reset, invites, reports): a 600 px table
 * layout with the UI tokens inlined, because mail clients drop <style> blocks and stylesheets.
 * Only here are style="" attributes fine: mail is not served under the page's CSP.
 * Each mail also has a plain-text twin with the same facts and links (see views/emails/*.tsx).
 */
export const EMAIL_TOKENS = {
  bg: "#f7f8fa",
  card: "#ffffff",
  border: "#e4e7ec",
  text: "#111827",
  muted: "#6b7280",
  accent: "#4f46e5",
  font: "Inter,system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif",
} as const;
const t = EMAIL_TOKENS;

/** `compact`: narrower gutters for content-heavy mails (reports carry 600 px of widget images). */
export function EmailLayout(props: { title: string; preheader?: string; baseUrl: string; footer?: Child; compact?: boolean; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        <title>{props.title}</title>
      </head>
      <body style={`margin:0;padding:0;background:${t.bg};font-family:${t.font};color:${t.text};-webkit-font-smoothing:antialiased`}>
        {props.preheader ? (
          // The line mail clients show next to the subject; hidden in the body itself.
          <div style="display:none;max-height:0;overflow:hidden;opacity:0;color:transparent">{props.preheader}</div>
        ) : null}
        <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style={`background:${t.bg}`}>
          <tr>
            <td align="center" style={`padding:32px ${props.compact ? 8 : 16}px`}>
              <table role="presentation" width="600" cellpadding="0" cellspacing="0" style="width:100%;max-width:600px">
                <tr>
                  <td style="padding:0 0 16px 4px">
                    <span style={`display:inline-block;width:22px;height:22px;border-radius:6px;background:${t.accent};vertical-align:middle`}></span>
                    <span style={`margin-left:8px;font-size:15px;font-weight:700;color:${t.text};vertical-align:middle`}>LiteKPI</span>
                  </td>
                </tr>
                <tr>
                  <td style={`background:${t.card};border:1px solid ${t.border};border-radius:8px;padding:${props.compact ? 24 : 32}px`}>{props.children}</td>
                </tr>
                <tr>
                  <td style={`padding:16px 4px 0;font-size:12px;line-height:1.5;color:${t.muted}`}>
                    {props.footer ?? null}
                    {props.footer ? <br /> : null}
                    Sent by LiteKPI at <a href={props.baseUrl} style={`color:${t.muted}`}>{props.baseUrl}</a>.
                  </td>
                </tr>
              </table>
            </td>
          </tr>
        </table>
      </body>
    </html>
  );
}

export function EmailHeading(props: { children: Child }) {
  return <h1 style={`margin:0 0 16px;font-size:22px;line-height:1.3;font-weight:600;color:${t.text}`}>{props.children}</h1>;
}

export function EmailText(props: { children: Child; muted?: boolean }) {
  return (
    <p style={`margin:0 0 16px;font-size:${props.muted ? "13px" : "15px"};line-height:1.6;color:${props.muted ? t.muted : t.text}`}>
      {props.children}
    </p>
  );
}

/** The one call to action; the plain address follows it for clients that break buttons. */
export function EmailButton(props: { href: string; children: Child }) {
  return (
    <>
      <table role="presentation" cellpadding="0" cellspacing="0" style="margin:8px 0 24px">
        <tr>
          <td style={`border-radius:6px;background:${t.accent}`}>
            <a href={props.href} style={`display:inline-block;padding:12px 20px;font-size:15px;font-weight:600;color:#ffffff;text-decoration:none;border-radius:6px`}>
              {props.children}
            </a>
          </td>
        </tr>
      </table>
      <p style={`margin:0 0 8px;font-size:13px;line-height:1.5;color:${t.muted}`}>If the button does not work, open this address:</p>
      <p style={`margin:0 0 16px;font-size:13px;line-height:1.5;word-break:break-all`}>
        <a href={props.href} style={`color:${t.accent}`}>
          {props.href}
        </a>
      </p>
    </>
  );
}

/** The HTML string a Mail carries (JSX cannot write the doctype). */
export async function renderEmail(node: Child): Promise<string> {
  return "<!doctype html>" + String(await node);
}
