import type { User } from "../auth/users";
import type { Session } from "../auth/session";
import type { ApiKey } from "../products/keys";
import type { Product, Role } from "../products/products";

/**
 * The Hono environment every router uses. `user`/`session` are set by the session middleware
 * for cookie-authenticated requests; `apiKey` by the bearer middleware; `product`/`role` by THE
 * access check (src/products/access.ts) on routes with `:productId`.
 */
export type AppEnv = {
  Variables: {
    user: User | null;
    session: Session | null;
    apiKey: ApiKey | null;
    product: Product;
    role: Role | "key";
  };
};
