import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * `npm install` rewrites package-lock.json's root entry from package.json; when the two differ a
 * fresh checkout's first `npm install` leaves a modified lock behind (it lacked `engines`). This is
 * the part npm copies, compared without running npm.
 */
test("package-lock.json's root entry is what npm install would write from package.json", () => {
  const root = join(import.meta.dir, "../..");
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
  expect(lock.name).toBe(pkg.name);
  expect(lock.version).toBe(pkg.version);
  const entry = lock.packages[""];
  for (const field of ["name", "version", "dependencies", "devDependencies", "optionalDependencies", "peerDependencies", "engines", "bin", "license"]) {
    expect({ field, value: entry[field] }).toEqual({ field, value: pkg[field] });
  }
});
