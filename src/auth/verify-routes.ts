import { Hono } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { pageOrFragment, sendPage } from "../http/render";
import { reissueVerification, verifyEmail } from "./registration";
import { sendAccountExistsMail, sendVerificationMail } from "./auth-mail";
import { retryMessage, takeAuthAttempt } from "./rate-limits";
import { requestIp, safeNext, secretUrlHeaders } from "./route-helpers";
import { acceptInviteAfterVerify } from "../teams/invites";
import { CheckInboxCard, CheckInboxPage, type CheckInboxProps, VerifyResultPage } from "../../views/pages/auth/verify-pages";

/** FR-1.2: "check your inbox" with a resend button, and the mailed link itself. */
export function verifyRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  const mailConfigured = !!deps.config.smtpUrl;

  // Not behind requireUser: that middleware sends unverified users here.
  r.get("/verify-email", (c) => {
    const user = c.get("user");
    if (!user) return c.redirect("/login?next=%2Fverify-email", 302);
    if (user.emailVerifiedAt) return c.redirect("/", 302);
    c.header("Cache-Control", "no-store");
    return sendPage(c, CheckInboxPage({ email: user.email, mailConfigured }));
  });

  r.post("/verify-email/resend", async (c) => {
    const user = c.get("user");
    if (!user) return c.redirect("/login?next=%2Fverify-email", 303);
    if (user.emailVerifiedAt) return c.redirect("/", 303);
    const show = (extra: Partial<CheckInboxProps>, status = 200) => {
      const props = { email: user.email, mailConfigured, ...extra };
      return pageOrFragment(c, () => CheckInboxCard(props), () => CheckInboxPage(props), status);
    };
    const wait = takeAuthAttempt(deps, requestIp(c, deps), user.email);
    if (wait) {
      c.header("Retry-After", String(wait));
      return show({ error: retryMessage(wait) }, 429);
    }
    // A pending registration (the address had an account) looks the same from here on: same
    // limit, same answer; its mail goes to the account's owner instead.
    const reissued = reissueVerification(deps.db, { user, pending: c.get("pending") }, deps.clock.now());
    try {
      if (reissued.kind === "verify") await sendVerificationMail(deps, user.email, reissued.token);
      else if (reissued.kind === "taken") await sendAccountExistsMail(deps, reissued.owner.email);
    } catch (err) {
      deps.log.error(reissued.kind === "verify" ? "verification mail failed" : "account-exists mail failed", { userId: user.id, err });
      return show({ error: "We could not send the email just now. Please try again in a moment." }, 502);
    }
    return show({ notice: `We sent a new link to ${user.email}. Earlier links no longer work.` });
  });

  r.get("/verify-email/:token", (c) => {
    secretUrlHeaders(c);
    const current = c.get("user");
    const next = safeNext(c.req.query("next"));
    const result = verifyEmail(deps.db, c.req.param("token"), deps.clock.now());
    if (result.ok) {
      deps.log.info("email verified", { userId: result.user.id });
      const signedIn = current?.id === result.user.id;
      // Registered from an invite and confirmed in the same browser: the invite is theirs (the
      // link proved the address it was sent to), so they land on the invited product at once.
      const landing = signedIn && next ? acceptInviteAfterVerify(deps, next, result.user) : null;
      if (landing) return c.redirect(landing, 303);
      return sendPage(c, VerifyResultPage({ outcome: "verified", email: result.user.email, verified: true, signedIn, next }));
    }
    const status = result.problem === "invalid" ? 404 : 410;
    const page = VerifyResultPage({
      outcome: result.problem,
      email: result.user?.email,
      verified: !!result.user?.emailVerifiedAt,
      signedIn: !!current && current.id === result.user?.id,
      next,
    });
    return sendPage(c, page, status);
  });

  return r;
}
