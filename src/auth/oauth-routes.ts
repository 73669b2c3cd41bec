import { Hono, type Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { ArcticFetchError, generateCodeVerifier, generateState, OAuth2RequestError, UnexpectedErrorResponseBodyError, UnexpectedResponseError } from "arctic";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { sendPage } from "../http/render";
import { AppError, notFound } from "../lib/errors";
import { timingSafeEqual } from "../lib/tokens";
import { fetchOAuthProfile, OAUTH_PROVIDERS, oauthClient, PROVIDER_NAMES, signInWithOAuth, type OAuthProvider } from "./oauth";
import { oauthOptions, safeNext, startSession } from "./route-helpers";
import { LoginPage } from "../../views/pages/auth/login-page";

const STATE_COOKIE = "litekpi_oauth_state";
const VERIFIER_COOKIE = "litekpi_oauth_verifier";
const NEXT_COOKIE = "litekpi_oauth_next";
const FLOW_SECONDS = 10 * 60;

/**
 * GET /login/:provider sends the browser to the provider with a fresh `state` (and a PKCE
 * verifier for Google) kept in short-lived HttpOnly cookies scoped to this provider's path; the
 * callback signs in only when the returned state equals the cookie (no login CSRF).
 * SameSite=Lax: the provider's redirect back is a top-level GET, which Lax cookies accompany.
 */
export function oauthRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  const provider = (c: Context) => {
    const name = c.req.param("provider") as OAuthProvider;
    const client = OAUTH_PROVIDERS.includes(name) ? oauthClient(deps.config, name) : null;
    if (!client) throw notFound("This sign-in method is not set up on this server.");
    return { name, client };
  };
  const cookieOptions = (name: OAuthProvider) => ({
    path: `/login/${name}`,
    httpOnly: true,
    sameSite: "Lax" as const,
    secure: deps.config.baseUrl.startsWith("https://"),
    maxAge: FLOW_SECONDS,
  });

  r.get("/login/:provider", (c) => {
    const { name, client } = provider(c);
    const state = generateState();
    const verifier = generateCodeVerifier();
    setCookie(c, STATE_COOKIE, state, cookieOptions(name));
    if (client.usesPkce) setCookie(c, VERIFIER_COOKIE, verifier, cookieOptions(name));
    const next = safeNext(c.req.query("next"));
    if (next) setCookie(c, NEXT_COOKIE, next, cookieOptions(name));
    c.header("Cache-Control", "no-store");
    return c.redirect(client.authorizationUrl(state, verifier).toString(), 302);
  });

  r.get("/login/:provider/callback", async (c) => {
    const { name, client } = provider(c);
    const label = PROVIDER_NAMES[name];
    const expected = getCookie(c, STATE_COOKIE);
    const verifier = getCookie(c, VERIFIER_COOKIE) ?? "";
    const next = safeNext(getCookie(c, NEXT_COOKIE));
    for (const cookie of [STATE_COOKIE, VERIFIER_COOKIE, NEXT_COOKIE]) deleteCookie(c, cookie, { path: `/login/${name}` });
    c.header("Cache-Control", "no-store");
    c.header("Referrer-Policy", "no-referrer"); // the code is in this URL
    const fail = (message: string, status: number) => sendPage(c, LoginPage({ email: "", next, oauth: oauthOptions(deps), error: message }), status);

    if (c.req.query("error")) return fail(`Sign-in with ${label} was cancelled.`, 400);
    const state = c.req.query("state");
    const code = c.req.query("code");
    if (!expected || !state || !code || !timingSafeEqual(state, expected)) {
      return fail(`Sign-in with ${label} could not be verified: it did not start in this browser, or it took longer than 10 minutes. Please try again.`, 400);
    }
    try {
      const accessToken = await client.accessToken(code, verifier);
      const profile = await fetchOAuthProfile(name, accessToken);
      const { user, created } = signInWithOAuth(deps.db, profile, deps.clock.now());
      deps.log.info("oauth sign-in", { provider: name, userId: user.id, created });
      startSession(c, deps, user.id);
      return c.redirect(next ?? "/", 302);
    } catch (err) {
      if (err instanceof OAuth2RequestError) return fail(`${label} did not accept this sign-in (${err.code}). Please try again.`, 400);
      if (err instanceof ArcticFetchError) return fail(`Could not reach ${label}. Please try again in a moment.`, 502);
      if (err instanceof UnexpectedResponseError || err instanceof UnexpectedErrorResponseBodyError) {
        deps.log.warn("oauth token endpoint answered unexpectedly", { provider: name, err });
        return fail(`${label} did not answer as expected. Please try again in a moment.`, 502);
      }
      if (err instanceof AppError) return fail(err.message, err.status);
      deps.log.error("oauth callback failed", { provider: name, err });
      return fail(`Sign-in with ${label} failed on our side. Please try again.`, 502);
    }
  });

  return r;
}
