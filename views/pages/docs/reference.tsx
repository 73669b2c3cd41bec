/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { Layout } from "../../layout";
import { referencedComponents, resolve, SchemaTable, typeName, type Schema } from "./schema-table";

/**
 * /docs: the API reference, rendered on the server from the OpenAPI document itself (so it can
 * never say something the document does not), with no script at all — the strict CSP holds.
 */
type Operation = Schema & { method: string; path: string };

const AUTH_LABEL: Record<string, string> = { ingestKey: "ingest key", readKey: "read key", manageKey: "manage key", session: "signed-in member" };

export function ApiReferencePage(props: { header: Child; doc: Schema }) {
  const { doc } = props;
  const components = (doc.components?.schemas ?? {}) as Record<string, Schema>;
  const byTag = new Map<string, Operation[]>();
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Schema>>)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = op.tags?.[0] ?? "API";
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push({ ...op, method: method.toUpperCase(), path });
    }
  }
  const tags = [...byTag.keys()].sort(tagOrder);
  const base = doc.servers?.[0]?.url ?? "";
  return (
    <Layout title="API reference" header={props.header}>
      <div class="page doc-page">
        <nav class="doc-nav" aria-label="API reference">
          <p class="doc-nav-title">API reference</p>
          {tags.map((tag) => (
            <div class="doc-nav-group">
              <a class="doc-nav-tag" href={`#tag-${slug(tag)}`}>
                {tag}
              </a>
              <ul>
                {byTag.get(tag)!.map((op) => (
                  <li>
                    <a href={`#${op.operationId}`}>
                      <span class={`doc-method doc-method-${op.method.toLowerCase()}`}>{op.method}</span> {op.path}
                    </a>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </nav>
        <article class="doc-main">
          <header class="doc-intro">
            <h1>{doc.info.title}</h1>
            <p>{doc.info.description}</p>
            <p class="muted">
              Base URL <code>{base}</code>. Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI {doc.openapi}) for code generators. SDKs for TypeScript, Python and Go
              live in the repository's <code>sdks/</code> folder.
            </p>
          </header>
          {tags.map((tag) => (
            <section class="doc-tag" id={`tag-${slug(tag)}`}>
              <h2>{tag}</h2>
              {byTag.get(tag)!.map((op) => (
                <OperationCard op={op} base={base} components={components} />
              ))}
            </section>
          ))}
          <section class="doc-tag" id="tag-errors">
            <h2>Errors</h2>
            <p>Every non-2xx answer:</p>
            <SchemaTable schema={components.Error ?? {}} components={components} />
            <p>Each entry of errors:</p>
            <SchemaTable schema={components.ItemError ?? {}} components={components} />
          </section>
        </article>
      </div>
    </Layout>
  );
}

function OperationCard(props: { op: Operation; base: string; components: Record<string, Schema> }) {
  const { op, components } = props;
  const params = (op.parameters ?? []) as Schema[];
  const body = op.requestBody?.content ? (Object.entries(op.requestBody.content)[0] as [string, Schema] | undefined) : undefined;
  const bodySchema = body?.[1].schema as Schema | undefined;
  const parts = bodySchema ? [...referencedComponents(bodySchema)].filter((n) => components[n]) : [];
  return (
    <section class="card doc-op" id={op.operationId}>
      <h3 class="doc-op-title">
        <span class={`doc-method doc-method-${op.method.toLowerCase()}`}>{op.method}</span>
        <code>{op.path}</code>
      </h3>
      <p class="doc-summary">{op.summary}</p>
      {op.description ? <p>{op.description}</p> : null}
      <p class="small">
        <strong>Auth:</strong> {authText(op.security)}
      </p>
      {params.length ? (
        <>
          <h4>Parameters</h4>
          <div class="table-wrap">
            <table class="table doc-fields">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">In</th>
                  <th scope="col">Description</th>
                </tr>
              </thead>
              <tbody>
                {params.map((p) => (
                  <tr>
                    <td>
                      <code>{p.name}</code>
                      {p.required ? <span class="badge doc-required">required</span> : null}
                    </td>
                    <td>{p.in}</td>
                    <td>
                      {p.description ?? ""}
                      {p.schema && (p.schema.type !== "string" || p.schema.enum) ? <span class="muted"> ({typeName(p.schema, components)})</span> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
      {body && bodySchema ? (
        <>
          <h4>Request body</h4>
          {bodySchema.description ? <p>{bodySchema.description}</p> : null}
          <SchemaTable schema={bodySchema} components={components} />
          {parts.map((name) => (
            <>
              <p class="doc-part">
                Each <strong>{name}</strong>:
              </p>
              <SchemaTable schema={resolve({ $ref: `#/components/schemas/${name}` }, components)} components={components} />
            </>
          ))}
          {body[1].example !== undefined ? (
            <>
              <h4>Example</h4>
              <pre class="doc-example">
                <code>{curl(op, props.base, body[0], body[1].example)}</code>
              </pre>
            </>
          ) : null}
        </>
      ) : null}
      <h4>Responses</h4>
      <dl class="doc-responses">
        {Object.entries(op.responses as Record<string, Schema>)
          .filter(([status]) => status !== "default")
          .map(([status, r]) => {
            const media = r.content ? (Object.values(r.content)[0] as Schema) : undefined;
            return (
              <>
                <dt>
                  <span class={`badge ${status.startsWith("2") ? "badge-up" : "badge-down"}`}>{status}</span>
                </dt>
                <dd>
                  {r.description}
                  {media?.example !== undefined ? (
                    <pre class="doc-example">
                      <code>{JSON.stringify(media.example, null, 2)}</code>
                    </pre>
                  ) : null}
                </dd>
              </>
            );
          })}
        <dt>
          <span class="badge">other</span>
        </dt>
        <dd>
          The error shape (<a href="#tag-errors">Errors</a>).
        </dd>
      </dl>
    </section>
  );
}

function authText(security: Schema[] | undefined): string {
  if (!security || security.length === 0) return "none (public)";
  return security.map((s) => AUTH_LABEL[Object.keys(s)[0]!] ?? Object.keys(s)[0]).join(" or ");
}

function curl(op: Operation, base: string, contentType: string, example: unknown): string {
  const key = op.security?.[0] ? Object.keys(op.security[0])[0] : null;
  const env = key === "ingestKey" ? "$INGEST_KEY" : key === "manageKey" ? "$MANAGE_KEY" : "$READ_KEY";
  const json = JSON.stringify(example).replaceAll("'", "'\\''");
  return [`curl -X ${op.method} ${base}${op.path}`, `  -H "Authorization: Bearer ${env}"`, `  -H "Content-Type: ${contentType}"`, `  -d '${json}'`].join(" \\\n");
}

const TAG_ORDER = ["Ingest", "Query", "Events", "Metrics", "People", "Meta"];
function tagOrder(a: string, b: string) {
  const ia = TAG_ORDER.indexOf(a);
  const ib = TAG_ORDER.indexOf(b);
  return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-");
