import type { User } from "../auth/users";
import type { Session } from "../auth/session";
import type { PendingRegistration } from "../auth/pending-registration";
import type { ApiKey } from "../products/keys";
import type { Product, Role } from "../products/products";

/**
 * The Hono environment every router uses. `user`/`session` are set by the session middleware
 * for cookie-authenticated requests (a pending registration, i.e. a taken address registered
 * again, sets `pending` and an unverified stand-in `user`, with no `session`); `apiKey` by the
 * bearer middleware; `product`/`role` by THE access check (src/products/access.ts) on routes
 * with `:productId`.
 */
export type AppEnv = {
  Variables: {
    user: User | null;
    session: Session | null;
    pending: PendingRegistration | null;
    apiKey: ApiKey | null;
    product: Product;
    role: Role | "key";
  };
};
