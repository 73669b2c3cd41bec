import { createUser } from "../../src/auth/users";
import { revokeKey, createKey } from "../../src/products/keys";
import { addMember } from "../../src/teams/memberships";
import { makeProductWithKeys } from "../helpers/factories";
import type { TestServer } from "../helpers/server";
import { sessionCookie } from "../helpers/sign-in";

/**
 * Two products A and B, each with an owner and keys, plus a member of A (not its owner) and a
 * revoked read key of A: every identity the query API must tell apart.
 */
export async function makeTenants(server: TestServer) {
  const deps = server.deps;
  const now = deps.clock.now();
  const a = await makeProductWithKeys(deps, { name: "Acme Analytics" });
  const b = await makeProductWithKeys(deps, { name: "Beta" });
  const member = await createUser(deps.db, { email: `member-${Date.now()}-${Math.random()}@example.com`, password: "correct horse battery", verified: true }, now);
  addMember(deps.db, a.product.id, member.id, now);
  const revoked = createKey(deps.db, { productId: a.product.id, scope: "read" }, now);
  revokeKey(deps.db, revoked.key.id, now);
  const cookie = (userId: string) => sessionCookie(deps, userId);
  return { a, b, memberCookie: cookie(member.id), ownerBCookie: cookie(b.user.id), revokedKey: revoked.secret };
}

/** Sends points the way a user does: POST /api/v1/points with an ingest key. */
export async function sendPoints(server: TestServer, ingestKey: string, points: { metric: string; value: number; timestamp: string; tags?: Record<string, string> }[]) {
  for (let i = 0; i < points.length; i += 1000) {
    const res = await server.fetch("/api/v1/points", {
      method: "POST",
      headers: { Authorization: `Bearer ${ingestKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ points: points.slice(i, i + 1000) }),
    });
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  }
}

export function queryAs(server: TestServer, headers: Record<string, string>, body: unknown) {
  return server.fetch("/api/v1/query", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
