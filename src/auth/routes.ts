import { Hono } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { pageOrFragment, sendPage } from "../http/render";
import { formFields, redirectAfterForm, tryFieldAsync } from "../http/forms";
import { clearSessionCookie, setSessionCookie } from "./middleware";
import { MIN_PASSWORD_LENGTH } from "../lib/validate";
import { checkCredentials } from "./login";
import { registerUser } from "./registration";
import { sendAccountExistsMail, sendVerificationMail } from "./auth-mail";
import { recordLoginFailure, retryMessage, takeAuthAttempt, takeLoginAttempt } from "./rate-limits";
import { endSession, oauthOptions, requestIp, safeNext, startSession } from "./route-helpers";
import { verifyRoutes } from "./verify-routes";
import { resetRoutes } from "./reset-routes";
import { oauthRoutes } from "./oauth-routes";
import { LoginForm, LoginPage, type LoginProps } from "../../views/pages/auth/login-page";
import { RegisterForm, RegisterPage, type RegisterProps } from "../../views/pages/auth/register-page";

/** The same words for an unknown address and a wrong password (NFR-1.x). */
export const BAD_CREDENTIALS = "That email and password don't match an account. Check both and try again.";

/**
 * Accounts (FR-1.1–1.5): sign in, register, sign out; email verification, password reset and
 * OAuth have their own routers, mounted here so the area is one app.route().
 */
export function authRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  const oauth = oauthOptions(deps);

  r.get("/login", (c) => {
    const next = safeNext(c.req.query("next"));
    if (c.get("user")) return c.redirect(next ?? "/", 302);
    return sendPage(c, LoginPage({ email: c.req.query("email") ?? "", next, oauth }));
  });

  r.post("/login", async (c) => {
    const form = await formFields(c, "email", "password", "next");
    const props: LoginProps = { email: form.email.trim(), next: safeNext(form.next || c.req.query("next")), oauth };
    const show = (extra: Partial<LoginProps>, status: number) => pageOrFragment(c, () => LoginForm({ ...props, ...extra }), () => LoginPage({ ...props, ...extra }), status);

    const ip = requestIp(c, deps);
    const wait = takeLoginAttempt(deps, ip, form.email);
    if (wait) {
      c.header("Retry-After", String(wait));
      return show({ error: retryMessage(wait) }, 429);
    }
    const user = await checkCredentials(deps.db, form.email, form.password);
    if (!user) {
      recordLoginFailure(deps, ip, form.email);
      return show({ error: BAD_CREDENTIALS }, 401);
    }
    startSession(c, deps, user.id);
    // An unverified account is signed in but every page sends it to "check your inbox"; an
    // invite link (next) is the exception, because accepting the invite proves the address.
    return redirectAfterForm(c, props.next ?? (user.emailVerifiedAt ? "/" : "/verify-email"));
  });

  r.get("/register", (c) => {
    const next = safeNext(c.req.query("next"));
    if (c.get("user")) return c.redirect(next ?? "/", 302);
    return sendPage(c, RegisterPage({ values: { email: c.req.query("email") ?? "", name: "" }, next, minPasswordLength: MIN_PASSWORD_LENGTH, oauth }));
  });

  r.post("/register", async (c) => {
    const form = await formFields(c, "email", "password", "name", "next");
    const props: RegisterProps = {
      values: { email: form.email.trim(), name: form.name.trim() },
      next: safeNext(form.next || c.req.query("next")),
      minPasswordLength: MIN_PASSWORD_LENGTH,
      oauth,
    };
    const show = (extra: Partial<RegisterProps>, status: number) =>
      pageOrFragment(c, () => RegisterForm({ ...props, ...extra }), () => RegisterPage({ ...props, ...extra }), status);

    const wait = takeAuthAttempt(deps, requestIp(c, deps), form.email);
    if (wait) {
      c.header("Retry-After", String(wait));
      return show({ error: retryMessage(wait) }, 429);
    }
    const attempt = await tryFieldAsync(() => registerUser(deps.db, { email: form.email, password: form.password, name: form.name }, deps.clock.now()));
    if (!attempt.ok) return show({ errors: attempt.errors }, 422);
    const registered = attempt.value;
    const { user } = registered;
    try {
      if (registered.kind === "created") await sendVerificationMail(deps, user.email, registered.token, props.next);
      else await sendAccountExistsMail(deps, user.email);
    } catch (err) {
      // The account exists; the "check your inbox" page has a resend button.
      deps.log.error(registered.kind === "created" ? "verification mail failed" : "account-exists mail failed", { userId: user.id, err });
    }
    // A taken address answers exactly like a new one, cookie included: it names a pending
    // registration, which every later page treats as a new unverified account. The owner got a
    // mail; the visitor learns nothing.
    if (registered.kind === "created") startSession(c, deps, user.id);
    else {
      endSession(c, deps);
      setSessionCookie(c, deps, registered.pending.token);
    }
    return redirectAfterForm(c, props.next ?? "/verify-email");
  });

  r.post("/logout", (c) => {
    endSession(c, deps);
    clearSessionCookie(c);
    return redirectAfterForm(c, "/login");
  });

  r.route("/", verifyRoutes(deps));
  r.route("/", resetRoutes(deps));
  r.route("/", oauthRoutes(deps));
  return r;
}
