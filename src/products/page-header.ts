import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import type { Product } from "./products";

/** The header of product pages (product switcher, settings, user menu). */
export function pageHeader(deps: Deps, c: Context<AppEnv>, product?: Pick<Product, "id" | "name">): Child {
  void deps;
  void c;
  void product;
  return null;
}
