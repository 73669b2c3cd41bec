/** @jsxImportSource hono/jsx */
import { productUrl } from "../../src/products/urls";

export type SwitcherProduct = { id: string; name: string; role: string };

/**
 * The header's product switcher (FR-5.6): every product the user can open, owned and shared, and
 * "New product". A <details> menu, so it works without JavaScript and under the strict CSP.
 */
export function ProductSwitcher(props: { products: SwitcherProduct[]; current?: { id: string; name: string } }) {
  const label = props.current?.name ?? "Products";
  return (
    <details class="switcher" data-testid="product-switcher">
      <summary class="switcher-button" aria-label={`Product: ${label}. Switch product`}>
        <span class="switcher-name">{label}</span>
        <span class="switcher-caret" aria-hidden="true">
          ▾
        </span>
      </summary>
      <div class="switcher-menu">
        {props.products.length ? (
          <ul>
            {props.products.map((p) => (
              <li>
                <a href={productUrl(p.id)} aria-current={p.id === props.current?.id ? "page" : undefined} class={p.id === props.current?.id ? "switcher-current" : undefined}>
                  <span>{p.name}</span>
                  {p.role === "owner" ? null : <span class="muted switcher-shared">shared</span>}
                </a>
              </li>
            ))}
          </ul>
        ) : null}
        <div class="switcher-footer">
          <a href="/products">All products</a>
          <a href="/products/new">+ New product</a>
        </div>
      </div>
    </details>
  );
}
