/**
 * The copy-paste snippets of the install page (DESIGN.md "Web analytics": HTML, Next.js,
 * WordPress, Google Tag Manager), each with the product's real site token and the versioned
 * script URL. Pure: the page passes what it knows.
 */
export type SnippetInput = { scriptUrl: string; siteToken: string; mode: "privacy" | "attribution"; attributionWindowDays: number };
export const SNIPPET_TABS = ["html", "nextjs", "wordpress", "gtm"] as const;
export type SnippetTab = (typeof SNIPPET_TABS)[number];
export type Snippet = { tab: SnippetTab; label: string; where: string; code: string };

const escAttr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/** The tag's attributes: attribution mode adds data-persist with the window (days). */
function attributes(input: SnippetInput): [string, string][] {
  const attrs: [string, string][] = [["src", input.scriptUrl], ["data-site", input.siteToken]];
  if (input.mode === "attribution") attrs.push(["data-persist", String(input.attributionWindowDays)]);
  return attrs;
}

export function scriptTag(input: SnippetInput): string {
  return `<script defer ${attributes(input).map(([k, v]) => `${k}="${escAttr(v)}"`).join(" ")}></script>`;
}

/** Lets goal()/track() calls run before the script has loaded; they are sent once it has. */
export const QUEUE_STUB = `<script>window.litekpi=window.litekpi||{q:[]};["goal","track","identify"].forEach(function(m){litekpi[m]=litekpi[m]||function(){litekpi.q.push([m,arguments])}})</script>`;

export function snippets(input: SnippetInput): Snippet[] {
  const tag = scriptTag(input);
  const jsx = attributes(input)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(" ");
  const php = tag.replace(/\\/g, "\\\\").replace(/'/g, "\\'");
  return [
    { tab: "html", label: "HTML", where: "Paste it into the <head> of every page (or of your layout template).", code: tag },
    {
      tab: "nextjs",
      label: "Next.js",
      where: "In app/layout.tsx (App Router) — or pages/_app.tsx with the Pages Router. Client-side navigations count by themselves.",
      code: `import Script from "next/script";

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        {children}
        <Script strategy="afterInteractive" ${jsx} />
      </body>
    </html>
  );
}`,
    },
    {
      tab: "wordpress",
      label: "WordPress",
      where: "Add this to your (child) theme's functions.php, or paste the HTML tag into a header-scripts plugin.",
      code: `add_action('wp_head', function () {
  echo '${php}';
});`,
    },
    {
      tab: "gtm",
      label: "Google Tag Manager",
      where: "Tags → New → Custom HTML: paste the tag, set the trigger to “All Pages”, then Submit and Publish.",
      code: tag,
    },
  ];
}

/** A visit opened from the install page carries this, so the page can tell it arrived. */
export const TEST_VISIT_SOURCE = "litekpi-test";
export const testVisitUrl = (domain: string) => `https://${domain}/?utm_source=${TEST_VISIT_SOURCE}`;
