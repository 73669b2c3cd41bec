import { Hono } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { pageOrFragment, sendPage } from "../http/render";
import { formFields, redirectAfterForm, tryField, tryFieldAsync } from "../http/forms";
import { MIN_PASSWORD_LENGTH } from "../lib/validate";
import { checkResetToken, requestPasswordReset, resetPassword } from "./password-reset";
import { sendResetMail } from "./auth-mail";
import { retryMessage, takeAuthAttempt } from "./rate-limits";
import { requestIp, secretUrlHeaders, startSession } from "./route-helpers";
import { NewPasswordForm, NewPasswordPage, ResetLinkProblemPage, ResetRequestPage, ResetSentPage } from "../../views/pages/auth/reset-pages";

/** FR-1.4: ask for a link, open it, choose a new password (which ends every other session). */
export function resetRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  const mailConfigured = !!deps.config.smtpUrl;

  r.get("/reset-password", (c) => sendPage(c, ResetRequestPage({ email: c.req.query("email") ?? "" })));

  r.post("/reset-password", async (c) => {
    const { email } = await formFields(c, "email");
    const wait = takeAuthAttempt(deps, requestIp(c, deps), email);
    if (wait) {
      c.header("Retry-After", String(wait));
      return sendPage(c, ResetRequestPage({ email, error: retryMessage(wait) }), 429);
    }
    const attempt = tryField(() => requestPasswordReset(deps.db, email, deps.clock.now()));
    if (!attempt.ok) return sendPage(c, ResetRequestPage({ email, fieldError: attempt.errors.email ?? Object.values(attempt.errors)[0] }), 422);
    const found = attempt.value;
    if (found) {
      // Not awaited: known and unknown addresses answer equally fast, so timing tells nothing.
      const { user, token } = found;
      sendResetMail(deps, user.email, token).catch((err) => deps.log.error("reset mail failed", { userId: user.id, err }));
    }
    return sendPage(c, ResetSentPage({ email: email.trim(), mailConfigured }));
  });

  r.get("/reset-password/:token", (c) => {
    secretUrlHeaders(c);
    const token = c.req.param("token");
    const check = checkResetToken(deps.db, token, deps.clock.now());
    if (!check.ok) return sendPage(c, ResetLinkProblemPage({ problem: check.problem }), check.problem === "invalid" ? 404 : 410);
    return sendPage(c, NewPasswordPage({ token, email: check.user.email, minPasswordLength: MIN_PASSWORD_LENGTH }));
  });

  r.post("/reset-password/:token", async (c) => {
    secretUrlHeaders(c);
    const token = c.req.param("token");
    const { password } = await formFields(c, "password");
    const attempt = await tryFieldAsync(() => resetPassword(deps.db, token, password, deps.clock.now()));
    if (!attempt.ok) {
      const check = checkResetToken(deps.db, token, deps.clock.now());
      if (!check.ok) return redirectAfterForm(c, `/reset-password/${token}`);
      const props = { token, email: check.user.email, error: attempt.errors.password ?? Object.values(attempt.errors)[0], minPasswordLength: MIN_PASSWORD_LENGTH };
      return pageOrFragment(c, () => NewPasswordForm(props), () => NewPasswordPage(props), 422);
    }
    const result = attempt.value;
    // A used or expired link: its GET page says which, and offers a new one.
    if (!result.ok) return redirectAfterForm(c, `/reset-password/${token}`);
    deps.log.info("password reset; all sessions ended", { userId: result.user.id });
    startSession(c, deps, result.user.id);
    return redirectAfterForm(c, "/");
  });

  return r;
}
