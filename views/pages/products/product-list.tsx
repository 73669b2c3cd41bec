/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { Layout } from "../../layout";
import { productUrl } from "../../../src/products/urls";

type ListedProduct = { id: string; name: string; timezone: string; role: string };

/** FR-5.6: every product the user can open, owned and shared, each with its role. */
export function ProductListPage(props: { header?: Child; products: ListedProduct[] }) {
  return (
    <Layout title="Products" header={props.header}>
      <section class="page-narrow">
        <div class="page-title">
          <h1>Products</h1>
          <a class="btn btn-primary" href="/products/new">
            New product
          </a>
        </div>
        {props.products.length === 0 ? (
          <div class="empty-state">
            <h2>No products yet</h2>
            <p class="muted">Create one to get an API key and send your first data point.</p>
            <a class="btn btn-primary" href="/products/new">
              Create your first product
            </a>
          </div>
        ) : (
          <ProductCards products={props.products} />
        )}
      </section>
    </Layout>
  );
}

/** The list itself, reusable wherever products are listed (e.g. the home page). */
export function ProductCards(props: { products: ListedProduct[] }) {
  return (
    <ul class="product-cards" data-testid="product-list">
      {props.products.map((p) => (
        <li>
          <a class="card product-card" href={productUrl(p.id)}>
            <span class="product-card-name">{p.name}</span>
            <span class="muted">{p.timezone.replaceAll("_", " ")}</span>
            <span class={`badge badge-${p.role}`}>{p.role === "owner" ? "owner" : "shared with you"}</span>
          </a>
        </li>
      ))}
    </ul>
  );
}
