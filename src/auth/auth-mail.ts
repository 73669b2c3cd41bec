import type { Deps } from "../deps";
import { verifyEmailMail } from "../../views/emails/verify-email";
import { resetPasswordMail } from "../../views/emails/reset-password";

/**
 * The two account mails. Links point at BASE_URL. Without SMTP the mailer logs the mail (link
 * included) and keeps it in the outbox, so a self-hoster can still finish; `delivered` says which.
 */
export async function sendVerificationMail(deps: Deps, to: string, token: string) {
  const url = `${deps.config.baseUrl}/verify-email/${token}`;
  return deps.mailer.send(await verifyEmailMail({ to, url, baseUrl: deps.config.baseUrl }));
}

export async function sendResetMail(deps: Deps, to: string, token: string) {
  const url = `${deps.config.baseUrl}/reset-password/${token}`;
  return deps.mailer.send(await resetPasswordMail({ to, url, baseUrl: deps.config.baseUrl }));
}
