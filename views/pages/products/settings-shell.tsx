/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { Layout } from "../../layout";
import { productUrl } from "../../../src/products/urls";

export type SettingsTab = "general" | "keys" | "members" | "data" | "web" | "revenue" | "webhooks";

const TABS: { tab: SettingsTab; label: string; path: string }[] = [
  { tab: "general", label: "General", path: "" },
  { tab: "keys", label: "API keys", path: "/keys" },
  { tab: "members", label: "Members", path: "/members" },
  { tab: "data", label: "Data", path: "/data" },
  { tab: "web", label: "Web", path: "/web" },
  { tab: "revenue", label: "Revenue", path: "/revenue" },
  { tab: "webhooks", label: "Webhooks", path: "/webhooks" },
];

/** The tab title of a settings page: "General · Acme". */
export function settingsTitle(tab: SettingsTab, productName: string): string {
  return `${TABS.find((t) => t.tab === tab)!.label} · ${productName}`;
}

/** The frame of every settings page: title, tabs, and the tab's section. */
export function SettingsShell(props: { header?: Child; product: { id: string; name: string }; active: SettingsTab; children: Child }) {
  const base = productUrl(props.product.id, "settings");
  return (
    <Layout title={settingsTitle(props.active, props.product.name)} header={props.header}>
      <div class="settings-page">
        <header class="settings-head">
          <p class="eyebrow">
            <a href={productUrl(props.product.id)}>{props.product.name}</a>
          </p>
          <h1>Settings</h1>
          <nav class="tabs" aria-label="Settings sections">
            {TABS.map((t) => (
              <a href={base + t.path} class={t.tab === props.active ? "tab tab-active" : "tab"} aria-current={t.tab === props.active ? "page" : undefined}>
                {t.label}
              </a>
            ))}
          </nav>
        </header>
        {props.children}
      </div>
    </Layout>
  );
}
