/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { Layout } from "../layout";
import { ProductCards } from "./products/product-list";

type HomeProduct = { id: string; name: string; timezone: string; role: string };

/** `/` for a signed-in user: their products, or the first step when they have none. */
export function HomePage(props: { header: Child; products: HomeProduct[] }) {
  return (
    <Layout title="Home" header={props.header}>
      <section class="page-narrow home">
        {props.products.length ? (
          <>
            <div class="page-title">
              <div>
                <h1>Your products</h1>
                <p class="muted home-sub">Pick one to see its dashboards.</p>
              </div>
              <a class="btn btn-primary" href="/products/new">
                New product
              </a>
            </div>
            <ProductCards products={props.products} />
          </>
        ) : (
          <FirstProduct />
        )}
      </section>
    </Layout>
  );
}

function FirstProduct() {
  return (
    <div class="empty-state home-empty" data-testid="home-empty">
      <div class="empty-icon" aria-hidden="true">
        <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" focusable="false">
          <path d="M4 20V10M10 20V4M16 20v-7M22 20H2" />
        </svg>
      </div>
      <h1>Create your first product</h1>
      <p>A product is one app or website you track. Creating it gives you an API key; send a number with one curl command and it shows up on a dashboard.</p>
      <a class="btn btn-primary btn-large" href="/products/new">
        Create product
      </a>
      <ol class="home-steps">
        <li>
          <span class="home-step-num">1</span>Name your product
        </li>
        <li>
          <span class="home-step-num">2</span>Send a data point
        </li>
        <li>
          <span class="home-step-num">3</span>Watch the dashboard
        </li>
      </ol>
    </div>
  );
}
