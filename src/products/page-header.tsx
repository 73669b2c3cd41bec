/** @jsxImportSource hono/jsx */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { listProductsForUser, type Product } from "./products";
import { canViewSettings } from "./access";
import { Header, HeaderNavLink } from "../../views/components/header";
import { productUrl } from "./urls";
import { unreadCount } from "../alerts/inbox";

/**
 * The header of signed-in pages: product switcher (every product the user can open), the current
 * product's nav (dashboards, settings — only what the user's role can use) and the user menu.
 */
export function pageHeader(deps: Deps, c: Context<AppEnv>, product?: Pick<Product, "id" | "name">): Child {
  const user = c.get("user");
  if (!user) return <Header user={null} />;
  const products = listProductsForUser(deps.db, user.id).map((p) => ({ id: p.id, name: p.name, role: p.role }));
  const role = product ? products.find((p) => p.id === product.id)?.role : undefined;
  const nav = product && role ? <ProductNav productId={product.id} path={c.req.path} showSettings={canViewSettings(role)} /> : undefined;
  return <Header user={user} products={products} current={product ? { id: product.id, name: product.name } : undefined} nav={nav} unread={unreadCount(deps.db, user.id)} />;
}

function ProductNav(props: { productId: string; path: string; showSettings: boolean }) {
  const base = productUrl(props.productId);
  const inSettings = props.path.startsWith(`${base}/settings`);
  return (
    <>
      <HeaderNavLink href={base} active={!inSettings && (props.path === base || props.path.startsWith(`${base}/dashboards`))}>
        Dashboards
      </HeaderNavLink>
      <HeaderNavLink href={`${base}/web`} active={props.path === `${base}/web` || props.path.startsWith(`${base}/web/`)}>
        Web
      </HeaderNavLink>
      <HeaderNavLink href={`${base}/funnels`} active={props.path.startsWith(`${base}/funnels`)}>
        Funnels
      </HeaderNavLink>
      <HeaderNavLink href={`${base}/explorer`} active={props.path.startsWith(`${base}/explorer`)}>
        Events
      </HeaderNavLink>
      <HeaderNavLink href={`${base}/insights`} active={props.path.startsWith(`${base}/insights`)}>
        Insights
      </HeaderNavLink>
      <HeaderNavLink href={`${base}/metrics`} active={props.path.startsWith(`${base}/metrics`)}>
        Metrics
      </HeaderNavLink>
      <HeaderNavLink href={`${base}/alerts`} active={props.path.startsWith(`${base}/alerts`)}>
        Alerts
      </HeaderNavLink>
      {props.showSettings ? (
        <HeaderNavLink href={`${base}/settings`} active={inSettings}>
          Settings
        </HeaderNavLink>
      ) : null}
    </>
  );
}
