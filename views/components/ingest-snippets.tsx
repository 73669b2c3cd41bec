/** @jsxImportSource hono/jsx */
import { CopyField } from "../pages/products/parts";

/**
 * "Send your first data point" in curl, JavaScript and Python, as CSS-only tabs (no script). Shown
 * on the product home's onboarding panel and on the page right after a product is created, the one
 * answer that still has the key in full.
 */
export function SnippetTabs(props: { endpoint: string; secret: string }) {
  return (
    <>
      <div class="tabs-css" role="presentation">
        <input type="radio" name="snippet-tab" id="snippet-curl" checked />
        <label for="snippet-curl">curl</label>
        <input type="radio" name="snippet-tab" id="snippet-js" />
        <label for="snippet-js">JavaScript</label>
        <input type="radio" name="snippet-tab" id="snippet-py" />
        <label for="snippet-py">Python</label>
        <div class="tab-panel panel-curl">
          <CopyField value={curlSnippet(props.endpoint, props.secret)} label="curl command" testId="snippet-curl" multiline />
        </div>
        <div class="tab-panel panel-js">
          <CopyField value={jsSnippet(props.endpoint, props.secret)} label="JavaScript snippet" testId="snippet-js" multiline />
        </div>
        <div class="tab-panel panel-py">
          <CopyField value={pySnippet(props.endpoint, props.secret)} label="Python snippet" testId="snippet-py" multiline />
        </div>
      </div>
      <p class="muted small">
        Events, SDKs (TypeScript, Python, Go) and every endpoint: the <a href="/docs">API reference</a>.
      </p>
    </>
  );
}

export function curlSnippet(endpoint: string, key: string): string {
  return `curl -X POST ${endpoint} \\
  -H "Authorization: Bearer ${key}" \\
  -H "Content-Type: application/json" \\
  -d '{"metric":"signups","value":1}'`;
}

export function jsSnippet(endpoint: string, key: string): string {
  return `await fetch("${endpoint}", {
  method: "POST",
  headers: {
    "Authorization": "Bearer ${key}",
    "Content-Type": "application/json",
  },
  body: JSON.stringify({ metric: "signups", value: 1, tags: { plan: "free" } }),
});`;
}

export function pySnippet(endpoint: string, key: string): string {
  return `import json, urllib.request

req = urllib.request.Request(
    "${endpoint}",
    data=json.dumps({"metric": "signups", "value": 1}).encode(),
    headers={"Authorization": "Bearer ${key}", "Content-Type": "application/json"},
)
print(urllib.request.urlopen(req).read().decode())`;
}
