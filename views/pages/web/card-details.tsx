/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { Layout } from "../../layout";
import type { Periods } from "../../../src/web/dashboard/periods";
import { BreakdownCard, type BreakdownProps } from "./breakdown-card";

/** A card's longer list ("Details"), as its own page: the same card, up to 100 rows, and the way back. */
export function CardDetailsPage(props: { header?: Child; product: { id: string; name: string }; back: string; periods: Periods; card: BreakdownProps; extra?: Child }) {
  const { card } = props;
  return (
    <Layout title={`${card.tab.label} · Web analytics · ${props.product.name}`} header={props.header}>
      <link rel="stylesheet" href="/static/web.css" />
      <div class="web-dashboard web-details">
        <p class="eyebrow">
          <a href={props.back}>← Web analytics</a>
        </p>
        <p class="muted">{props.periods.label}</p>
        <BreakdownCard {...card} />
        {props.extra ?? null}
      </div>
    </Layout>
  );
}
