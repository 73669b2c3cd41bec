import { and, eq } from "drizzle-orm";
import { GitHub, Google } from "arctic";
import * as v from "valibot";
import type { Config } from "../config";
import type { Db } from "../db/connection";
import { oauthAccounts, users } from "../db/schema";
import { AppError } from "../lib/errors";
import { newId } from "../lib/tokens";
import { cleanDisplayName } from "../lib/names";
import { findUserByEmail, normalizeEmail, type User } from "./users";
import { invalidateUserSessions } from "./session";

/**
 * FR-1.5: sign in with Google (OpenID Connect, PKCE) or GitHub (OAuth 2, no PKCE) through arctic.
 * Provider JSON is read as unknown through valibot. The caller checks `state`.
 */
export type OAuthProvider = "google" | "github";
export const OAUTH_PROVIDERS: readonly OAuthProvider[] = ["google", "github"];
export const PROVIDER_NAMES: Record<OAuthProvider, string> = { google: "Google", github: "GitHub" };

export type OAuthProfile = { provider: OAuthProvider; providerUserId: string; email: string; name: string | null };

export type OAuthClient = {
  usesPkce: boolean;
  authorizationUrl(state: string, codeVerifier: string): URL;
  /** Trades the callback's code for an access token (arctic throws OAuth2RequestError on a bad code). */
  accessToken(code: string, codeVerifier: string): Promise<string>;
};

/** The client for a configured provider, or null when its id and secret are not set. */
export function oauthClient(config: Pick<Config, "baseUrl" | "google" | "github">, provider: OAuthProvider): OAuthClient | null {
  const redirect = `${config.baseUrl}/login/${provider}/callback`;
  if (provider === "google" && config.google) {
    const google = new Google(config.google.clientId, config.google.clientSecret, redirect);
    return {
      usesPkce: true,
      authorizationUrl: (state, verifier) => google.createAuthorizationURL(state, verifier, ["openid", "email", "profile"]),
      accessToken: async (code, verifier) => (await google.validateAuthorizationCode(code, verifier)).accessToken(),
    };
  }
  if (provider === "github" && config.github) {
    const github = new GitHub(config.github.clientId, config.github.clientSecret, redirect);
    return {
      usesPkce: false,
      authorizationUrl: (state) => github.createAuthorizationURL(state, ["read:user", "user:email"]),
      accessToken: async (code) => (await github.validateAuthorizationCode(code)).accessToken(),
    };
  }
  return null;
}

const GoogleUserInfo = v.object({ sub: v.string(), email: v.optional(v.string()), email_verified: v.optional(v.boolean()), name: v.optional(v.string()) });
const GitHubUser = v.object({ id: v.number(), login: v.string(), name: v.nullish(v.string()) });
const GitHubEmails = v.array(v.object({ email: v.string(), primary: v.boolean(), verified: v.boolean() }));

export const GOOGLE_USERINFO_URL = "https://openidconnect.googleapis.com/v1/userinfo";
export const GITHUB_USER_URL = "https://api.github.com/user";
export const GITHUB_EMAILS_URL = "https://api.github.com/user/emails";

async function getJson<T extends v.GenericSchema>(provider: OAuthProvider, url: string, accessToken: string, schema: T): Promise<v.InferOutput<T>> {
  const res = await fetch(url, {
    headers: {
      Authorization: `Bearer ${accessToken}`,
      Accept: provider === "github" ? "application/vnd.github+json" : "application/json",
      "User-Agent": "LiteKPI", // GitHub refuses API requests without a User-Agent
    },
  });
  const body: unknown = res.ok ? await res.json().catch(() => undefined) : undefined;
  const parsed = v.safeParse(schema, body);
  if (!parsed.success) {
    throw new AppError(502, "oauth_provider_error", `${PROVIDER_NAMES[provider]} did not answer as expected (${res.status}). Please try again.`);
  }
  return parsed.output;
}

/**
 * Who signed in, with an address the provider has verified: we link accounts by email, so an
 * unverified provider address would let anyone claim anyone's LiteKPI account.
 */
export async function fetchOAuthProfile(provider: OAuthProvider, accessToken: string): Promise<OAuthProfile> {
  const noEmail = new AppError(400, "oauth_no_verified_email", `Your ${PROVIDER_NAMES[provider]} account has no verified email address. Verify one there, or register with email and password.`);
  if (provider === "google") {
    const info = await getJson(provider, GOOGLE_USERINFO_URL, accessToken, GoogleUserInfo);
    if (!info.email || info.email_verified !== true) throw noEmail;
    return { provider, providerUserId: info.sub, email: normalizeEmail(info.email), name: info.name ?? null };
  }
  const user = await getJson(provider, GITHUB_USER_URL, accessToken, GitHubUser);
  // /user shows only the public email; /user/emails (scope user:email) says which are verified.
  const emails = await getJson(provider, GITHUB_EMAILS_URL, accessToken, GitHubEmails);
  const chosen = emails.find((e) => e.primary && e.verified) ?? emails.find((e) => e.verified);
  if (!chosen) throw noEmail;
  return { provider, providerUserId: String(user.id), email: normalizeEmail(chosen.email), name: user.name ?? user.login };
}

/**
 * The LiteKPI user for a provider identity: the one already linked; else the account with the
 * same (provider-verified) email, now linked; else a new verified account without a password.
 *
 * Linking to an account whose address was never verified first drops its password and sessions:
 * whoever registered that address with a password never proved they own it, and must not keep
 * a way into what is now the real owner's account ("pre-hijacking").
 */
export function signInWithOAuth(db: Db, profile: OAuthProfile, now: number): { user: User; created: boolean } {
  return db.transaction((tx) => {
    const linked = tx
      .select({ user: users })
      .from(oauthAccounts)
      .innerJoin(users, eq(users.id, oauthAccounts.userId))
      .where(and(eq(oauthAccounts.provider, profile.provider), eq(oauthAccounts.providerUserId, profile.providerUserId)))
      .get();
    if (linked) return { user: linked.user, created: false };

    let user = findUserByEmail(tx as unknown as Db, profile.email);
    let created = false;
    if (user && !user.emailVerifiedAt) {
      tx.update(users).set({ passwordHash: null, emailVerifiedAt: now }).where(eq(users.id, user.id)).run();
      invalidateUserSessions(tx as unknown as Db, user.id);
      user = { ...user, passwordHash: null, emailVerifiedAt: now };
    }
    if (!user) {
      user = { id: newId(), email: profile.email, name: cleanDisplayName(profile.name ?? "", 100) || null, passwordHash: null, emailVerifiedAt: now, createdAt: now };
      tx.insert(users).values(user).run();
      created = true;
    }
    tx.insert(oauthAccounts).values({ provider: profile.provider, providerUserId: profile.providerUserId, userId: user.id, createdAt: now }).run();
    return { user, created };
  });
}
