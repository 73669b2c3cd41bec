import type { Deps } from "../deps";
import { verifyEmailMail } from "../../views/emails/verify-email";
import { resetPasswordMail } from "../../views/emails/reset-password";
import { accountExistsMail } from "../../views/emails/account-exists";

/**
 * The account mails. Links point at BASE_URL. Without SMTP the mailer logs the mail (link
 * included) and keeps it in the outbox, so a self-hoster can still finish; `delivered` says which.
 */
/** `next` (a safe local path, e.g. an invite page) is carried through the link to where it lands. */
export async function sendVerificationMail(deps: Deps, to: string, token: string, next?: string | null) {
  const url = `${deps.config.baseUrl}/verify-email/${token}${next ? `?${new URLSearchParams({ next })}` : ""}`;
  return deps.mailer.send(await verifyEmailMail({ to, url, baseUrl: deps.config.baseUrl }));
}

export async function sendResetMail(deps: Deps, to: string, token: string) {
  const url = `${deps.config.baseUrl}/reset-password/${token}`;
  return deps.mailer.send(await resetPasswordMail({ to, url, baseUrl: deps.config.baseUrl }));
}

/** Registration with an address that has an account: its owner hears of it, nobody else does. */
export async function sendAccountExistsMail(deps: Deps, to: string) {
  const base = deps.config.baseUrl;
  const q = new URLSearchParams({ email: to });
  return deps.mailer.send(await accountExistsMail({ to, loginUrl: `${base}/login?${q}`, resetUrl: `${base}/reset-password?${q}`, baseUrl: base }));
}
