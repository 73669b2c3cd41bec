/** @jsxImportSource hono/jsx */
import type { Mail } from "../../src/mail/mailer";

/**
 * The invite mail (FR-5.2): a 600 px card with the UI tokens inline (mail clients ignore
 * stylesheets) and a plain-text twin with the same link.
 */
export function inviteEmail(props: { to: string; productName: string; inviter: string; url: string; baseUrl: string }): Mail {
  const subject = `${props.inviter} invited you to ${props.productName} on LiteKPI`;
  const text = [
    `${props.inviter} invited you to view and edit the dashboards of ${props.productName} on LiteKPI.`,
    "",
    `Accept the invite: ${props.url}`,
    "",
    `The link works once, only for ${props.to}, and expires in 7 days.`,
    "If you were not expecting this, ignore this email.",
  ].join("\n");
  const html = (
    <html lang="en">
      <body style="margin:0;padding:24px;background:#f7f8fa;font-family:Inter,system-ui,-apple-system,Segoe UI,sans-serif;color:#111827">
        <table role="presentation" width="100%" cellpadding="0" cellspacing="0">
          <tr>
            <td align="center">
              <table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border:1px solid #e4e7ec;border-radius:8px">
                <tr>
                  <td style="padding:32px">
                    <p style="margin:0 0 16px;font-size:14px;font-weight:600;color:#4f46e5">LiteKPI</p>
                    <h1 style="margin:0 0 16px;font-size:22px;line-height:1.3">Join {props.productName}</h1>
                    <p style="margin:0 0 24px;font-size:16px;line-height:1.5">
                      {props.inviter} invited you to view and edit the dashboards of <strong>{props.productName}</strong>.
                    </p>
                    <p style="margin:0 0 24px">
                      <a href={props.url} style="display:inline-block;padding:12px 20px;background:#4f46e5;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:600">
                        Accept the invite
                      </a>
                    </p>
                    <p style="margin:0 0 8px;font-size:13px;color:#6b7280">
                      The link works once, only for {props.to}, and expires in 7 days. If the button does not work, open this address:
                    </p>
                    <p style="margin:0;font-size:13px;word-break:break-all;color:#6b7280">{props.url}</p>
                  </td>
                </tr>
              </table>
              <p style="margin:16px 0 0;font-size:12px;color:#6b7280">
                Sent by LiteKPI at {props.baseUrl}. If you were not expecting this, ignore this email.
              </p>
            </td>
          </tr>
        </table>
      </body>
    </html>
  );
  return { to: props.to, subject, text, html: "<!doctype html>" + html.toString() };
}
