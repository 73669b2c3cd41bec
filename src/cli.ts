import { parseArgs } from "node:util";
import type { Config } from "./config";
import { createDeps } from "./boot";
import type { Deps } from "./deps";
import { createUser, findUserByEmail } from "./auth/users";
import { parseOrThrow } from "./lib/validate";
import { createProduct, getProduct, listAllProducts } from "./products/products";
import { createKey, revokeKey, ScopeSchema } from "./products/keys";
import { AppError, conflict } from "./lib/errors";
import { OPS_COMMANDS } from "./ops/commands";
import { parseDays, setRetention } from "./ops/retention";
import { getUsage, parseLimit, setUsageLimit } from "./ops/usage";
import { addDomain, findProductByHost, normalizeDomain } from "./web/sites";
import { parseProvider, setIntegration, webhookUrl } from "./revenue/integrations";

/**
 * The binary's commands, over the same domain functions as the routes. Plain output is the bare
 * values, one per line; `--json` prints one JSON object. Exit 1 on error, 2 on bad usage.
 */
const USAGE = `Usage:
  litekpi                                   start the server
  litekpi users create --email E --password P [--name N]
  litekpi products create --owner EMAIL --name N [--timezone ZONE] [--domain D]…
  litekpi products list                     (--json: each product with this month's usage)
  litekpi products set-retention --product ID --days N|forever [--namespace NS]
  litekpi products set-limit --product ID --limit N|none [--mode pause|keep]
  litekpi integrations set --product ID --provider stripe|lemonsqueezy|polar|shopify --secret S
                                            (prints the webhook URL to paste into the provider)
  litekpi keys create --product ID --scope ingest|read|manage [--name N]
  litekpi keys revoke --id KEY_ID
  litekpi healthcheck                       exit 0 when the local server answers /healthz
  litekpi backup --to FILE                  a consistent copy, also while the server runs
  litekpi restore --from FILE               replace the database (server stopped)
  litekpi doctor                            sizes, integrity, pending purges, last backup
  litekpi migrate-data --to chdb|sqlite [--replace yes]
                                            copy points and rollups between engines (server stopped)
Add --json to any command for one JSON object on stdout.`;

class UsageError extends Error {}

/** What a command prints; `code` is its exit status when it is not 0 (doctor on a failed check). */
/** `warnings` go to stderr (stdout keeps the command's documented output). */
export type Out = { json: boolean; values: Record<string, unknown>; plain: string[]; code?: number; warnings?: string[] };
type Command = {
  options: Record<string, { type: "string"; multiple?: boolean }>;
  required: string[];
  /** A `multiple` option arrives as a string[] (read it with `many`). */
  run(deps: Deps, opts: Record<string, string>): Out | Promise<Out>;
};

const many = (opts: Record<string, string>, name: string): string[] => (opts as unknown as Record<string, string[] | undefined>)[name] ?? [];

const result = (values: Record<string, unknown>, plain: string[]): Omit<Out, "json"> => ({ values, plain });

const COMMANDS: Record<string, Command> = {
  "users create": {
    options: { email: { type: "string" }, password: { type: "string" }, name: { type: "string" } },
    required: ["email", "password"],
    async run(deps, o) {
      const user = await createUser(deps.db, { email: o.email!, password: o.password!, name: o.name, verified: true }, deps.clock.now());
      return { json: false, ...result({ id: user.id, email: user.email }, [user.id]) };
    },
  },
  "products create": {
    options: { owner: { type: "string" }, name: { type: "string" }, timezone: { type: "string" }, domain: { type: "string", multiple: true } },
    required: ["owner", "name"],
    run(deps, o) {
      // Every domain is checked before the product exists, so a taken one creates nothing.
      const domains = many(o, "domain").map((d) => normalizeDomain(d));
      for (const d of domains) if (findProductByHost(deps.db, d)) throw conflict("domain_taken", `${d} is already used by another product`, "domain");
      const owner = findUserByEmail(deps.db, o.owner!);
      if (!owner) throw new AppError(404, "unknown_owner", `No user with email ${o.owner}; create one with: litekpi users create --email ${o.owner} --password …`, { field: "owner" });
      const now = deps.clock.now();
      const product = createProduct(deps.db, { ownerId: owner.id, name: o.name!, timezone: o.timezone }, now);
      for (const d of domains) addDomain(deps.db, product.id, d, now);
      const { key, secret } = createKey(deps.db, { productId: product.id, scope: "ingest", name: "Default ingest key", createdBy: owner.id }, now);
      return {
        json: false,
        ...result({ id: product.id, key: secret, keyId: key.id, name: product.name, timezone: product.timezone, siteToken: product.siteToken, domains }, [product.id, secret]),
      };
    },
  },
  "integrations set": {
    options: { product: { type: "string" }, provider: { type: "string" }, secret: { type: "string" } },
    required: ["product", "provider", "secret"],
    run(deps, o) {
      requireProduct(deps, o.product!);
      const provider = parseProvider(o.provider!);
      setIntegration(deps.db, deps.config.secret, o.product!, provider, o.secret!, deps.clock.now());
      const url = webhookUrl(deps.config.baseUrl, provider, o.product!);
      return { json: false, ...result({ product: o.product, provider, url }, [url]) };
    },
  },
  "products list": {
    options: {},
    required: [],
    run(deps) {
      const now = deps.clock.now();
      const products = listAllProducts(deps.db).map((p) => ({ ...p, usage: getUsage(deps.db, p.id, now) }));
      return { json: false, ...result({ products }, products.map((p) => [p.id, p.name, p.timezone, p.owner ?? ""].join("\t"))) };
    },
  },
  "products set-retention": {
    options: { product: { type: "string" }, days: { type: "string" }, namespace: { type: "string" } },
    required: ["product", "days"],
    run(deps, o) {
      const days = parseDays(o.days!);
      requireProduct(deps, o.product!);
      const rules = setRetention(deps.db, o.product!, { days, namespace: o.namespace }, deps.clock.now());
      return { json: false, ...result({ productId: o.product, retention: rules }, rules.map((r) => `${r.namespace || "*"}\t${r.days}`)) };
    },
  },
  "products set-limit": {
    options: { product: { type: "string" }, limit: { type: "string" }, mode: { type: "string" } },
    required: ["product", "limit"],
    run(deps, o) {
      const limit = parseLimit(o.limit!);
      requireProduct(deps, o.product!);
      // The server's gate picks the new limit up at its next usage run (every minute).
      const usage = setUsageLimit({ db: deps.db }, o.product!, { limit, mode: o.mode }, deps.clock.now());
      return { json: false, ...result({ productId: o.product, usage }, [`${usage.total}\t${usage.limit ?? "none"}\t${usage.mode ?? ""}`]) };
    },
  },
  "keys create": {
    options: { product: { type: "string" }, scope: { type: "string" }, name: { type: "string" } },
    required: ["product", "scope"],
    run(deps, o) {
      parseOrThrow(ScopeSchema, o.scope, "scope"); // a bad scope is named before an unknown product
      requireProduct(deps, o.product!);
      const { key, secret } = createKey(deps.db, { productId: o.product!, scope: o.scope!, name: o.name }, deps.clock.now());
      return { json: false, ...result({ id: key.id, key: secret, scope: key.scope, name: key.name, productId: key.productId }, [key.id, secret]) };
    },
  },
  "keys revoke": {
    options: { id: { type: "string" } },
    required: ["id"],
    run(deps, o) {
      const key = revokeKey(deps.db, o.id!, deps.clock.now());
      return { json: false, ...result({ id: key.id, revokedAt: new Date(key.revokedAt!).toISOString() }, [key.id]) };
    },
  },
};

function requireProduct(deps: Deps, id: string) {
  if (!getProduct(deps.db, id)) throw new AppError(404, "unknown_product", `No product with id ${id}`, { field: "product" });
}

export async function runCli(argv: string[], config: Config, io = { out: (s: string) => process.stdout.write(s), err: (s: string) => process.stderr.write(s) }): Promise<number> {
  const json = argv.includes("--json");
  if (argv[0] === "healthcheck") return healthcheck(config, io);
  if (argv[0] === "help" || argv[0] === "--help" || argv[0] === "-h") {
    io.out(USAGE + "\n");
    return 0;
  }
  // Two-word commands (`keys create`) over the services; one-word operations on the file itself.
  const bare = OPS_COMMANDS[argv[0] ?? ""];
  const command = bare ?? COMMANDS[argv.slice(0, 2).join(" ")];
  let opts: Record<string, string>;
  try {
    if (!command) throw new UsageError(`unknown command: ${argv.join(" ")}`);
    const parsed = parseArgs({ args: argv.slice(bare ? 1 : 2), options: { ...command.options, json: { type: "boolean" } }, strict: true, allowPositionals: false });
    opts = parsed.values as Record<string, string>;
    const missing = command.required.filter((k) => typeof opts[k] !== "string" || opts[k] === "");
    if (missing.length) throw new UsageError(`missing ${missing.map((m) => "--" + m).join(", ")}`);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (json) io.err(JSON.stringify({ error: "usage", message }) + "\n");
    else io.err(`litekpi: ${message}\n\n${USAGE}\n`);
    return 2;
  }
  if (bare) return report(io, json, () => bare.bare(config, opts));
  const deps = await createDeps({ ...config, logLevel: config.logLevel === "info" ? "warn" : config.logLevel });
  try {
    return await report(io, json, () => (command as Command).run(deps, opts));
  } finally {
    await deps.close();
  }
}

/** Prints a command's output (or its AppError on stderr) and returns the exit code. */
async function report(io: { out(s: string): void; err(s: string): void }, json: boolean, run: () => Out | Promise<Out>): Promise<number> {
  try {
    const out = await run();
    io.out(json ? JSON.stringify(out.values) + "\n" : out.plain.map((l) => l + "\n").join(""));
    for (const w of out.warnings ?? []) io.err(`litekpi: ${w}\n`);
    return out.code ?? 0;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (json) io.err(JSON.stringify(err.toJSON()) + "\n");
    else io.err(`litekpi: ${err.message}${err.field ? ` (--${err.field})` : ""}\n`);
    return 1;
  }
}

/** For the container's HEALTHCHECK: the runtime image has no curl. */
async function healthcheck(config: Config, io: { out(s: string): void; err(s: string): void }): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${config.port}/healthz`, { signal: AbortSignal.timeout(4000) });
    if (res.ok) return io.out("ok\n"), 0;
    io.err(`litekpi: /healthz answered ${res.status}\n`);
  } catch (err) {
    io.err(`litekpi: /healthz unreachable: ${err instanceof Error ? err.message : err}\n`);
  }
  return 1;
}
