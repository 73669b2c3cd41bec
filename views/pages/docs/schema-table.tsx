/** @jsxImportSource hono/jsx */

/**
 * A JSON Schema (as the OpenAPI document holds it) as a table of fields: name, type, required,
 * and the description with the limits. Nested objects list their fields under dotted names;
 * `$ref`s to components are followed once per table (the component gets its own table).
 */
export type Schema = Record<string, any>;
type Row = { name: string; type: string; required: boolean; text: string; limits: string[] };

export function resolve(schema: Schema | undefined, components: Record<string, Schema>): Schema {
  const ref = typeof schema?.$ref === "string" ? (schema.$ref as string).split("/").pop()! : null;
  return ref && components[ref] ? components[ref]! : (schema ?? {});
}

/** `X | null` as X (nullable); anything else unchanged. */
function unwrapNull(s: Schema): { schema: Schema; nullable: boolean } {
  const alts = s.anyOf as Schema[] | undefined;
  if (alts && alts.length === 2 && alts.some((a) => a.type === "null")) return { schema: alts.find((a) => a.type !== "null")!, nullable: true };
  return { schema: s, nullable: false };
}

export function typeName(s: Schema, components: Record<string, Schema>): string {
  if (s.$ref) return s.$ref.split("/").pop();
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((e: unknown) => JSON.stringify(e)).join(" | ");
  if (s.anyOf) return (s.anyOf as Schema[]).map((a) => typeName(a, components)).join(" | ");
  if (s.type === "array") return `${typeName(s.items ?? {}, components)}[]`;
  if (Array.isArray(s.type)) return s.type.join(" | ");
  if (s.type === "object" && s.additionalProperties && typeof s.additionalProperties === "object" && !s.properties) return `object of ${typeName(s.additionalProperties, components)}`;
  return s.type ?? "any";
}

function limits(s: Schema): string[] {
  const out: string[] = [];
  if (s.minLength !== undefined || s.maxLength !== undefined) out.push(`${s.minLength ?? 0}–${s.maxLength ?? "∞"} characters`);
  if (s.minimum !== undefined) out.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined) out.push(`≤ ${s.maximum}`);
  if (s.maxItems !== undefined) out.push(`at most ${s.maxItems} items`);
  if (s.maxProperties !== undefined) out.push(`at most ${s.maxProperties} keys`);
  return out;
}

function rows(schema: Schema, components: Record<string, Schema>, prefix = "", depth = 0): Row[] {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set<string>(schema.required ?? []);
  const out: Row[] = [];
  for (const [name, raw] of Object.entries(props)) {
    const { schema: s, nullable } = unwrapNull(raw);
    out.push({ name: prefix + name, type: typeName(s, components) + (nullable ? " | null" : ""), required: required.has(name), text: s.description ?? raw.description ?? "", limits: limits(s) });
    if (depth < 1 && s.type === "object" && s.properties) out.push(...rows(s, components, `${prefix}${name}.`, depth + 1));
  }
  return out;
}

export function SchemaTable(props: { schema: Schema; components: Record<string, Schema> }) {
  const list = rows(resolve(props.schema, props.components), props.components);
  if (list.length === 0) return null;
  return (
    <div class="table-wrap">
      <table class="table doc-fields">
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Type</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {list.map((r) => (
            <tr>
              <td>
                <code>{r.name}</code>
                {r.required ? <span class="badge doc-required">required</span> : null}
              </td>
              <td>
                <code class="doc-type">{r.type}</code>
              </td>
              <td>
                {r.text}
                {r.limits.length ? <span class="muted"> ({r.limits.join(", ")})</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The components a schema points at (a body that is "one, a list, or a wrapper" of Point). */
export function referencedComponents(schema: Schema | undefined, found = new Set<string>()): Set<string> {
  if (!schema || typeof schema !== "object") return found;
  if (typeof schema.$ref === "string") found.add(schema.$ref.split("/").pop()!);
  for (const value of Object.values(schema)) {
    if (Array.isArray(value)) value.forEach((v) => referencedComponents(v, found));
    else if (value && typeof value === "object") referencedComponents(value, found);
  }
  return found;
}
