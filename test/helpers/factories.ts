import type { Deps } from "../../src/deps";
import { createUser } from "../../src/auth/users";
import { createProduct } from "../../src/products/products";
import { createKey } from "../../src/products/keys";

let seq = 0;

/** A verified user, a product they own, and an ingest and a read key: the usual starting point. */
export async function makeProductWithKeys(deps: Deps, opts: { email?: string; timezone?: string; name?: string } = {}) {
  const now = deps.clock.now();
  const email = opts.email ?? `user${++seq}-${Date.now()}@example.com`;
  const password = "correct horse battery";
  const user = await createUser(deps.db, { email, password, verified: true }, now);
  const product = createProduct(deps.db, { ownerId: user.id, name: opts.name ?? `Product ${seq}`, timezone: opts.timezone }, now);
  const ingest = createKey(deps.db, { productId: product.id, scope: "ingest" }, now);
  const read = createKey(deps.db, { productId: product.id, scope: "read" }, now);
  return { user, password, product, ingestKey: ingest.secret, readKey: read.secret, ingestKeyId: ingest.key.id, readKeyId: read.key.id };
}

/** A user (verified unless asked otherwise) with the usual test password. */
export async function makeUser(server: { deps: Deps }, opts: { email?: string; verified?: boolean; name?: string } = {}) {
  return createUser(
    server.deps.db,
    { email: opts.email ?? `member${++seq}-${Date.now()}@example.com`, password: "correct horse battery", verified: opts.verified ?? true, name: opts.name },
    server.deps.clock.now(),
  );
}
