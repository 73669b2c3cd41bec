import { Hono } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "./context";
import { sendPage } from "./render";
import { requireUser } from "../auth/middleware";
import { listProductsForUser } from "../products/products";
import { pageHeader } from "../products/page-header";
import { HomePage } from "../../views/pages/home";

/** `/`: anonymous visitors go to sign in (requireUser), unverified ones to "check your inbox". */
export function homeRoutes(deps: Deps) {
  return new Hono<AppEnv>().get("/", requireUser(), (c) => {
    const products = listProductsForUser(deps.db, c.get("user")!.id);
    return sendPage(c, HomePage({ header: pageHeader(deps, c), products }));
  });
}
