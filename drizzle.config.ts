import { defineConfig } from "drizzle-kit";

// drizzle-kit runs under Node: schema files must not import bun:sqlite.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema/index.ts",
  out: "./migrations",
});
