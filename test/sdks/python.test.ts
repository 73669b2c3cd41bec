import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { run, startSdkFixture, type SdkFixture } from "./support";

/**
 * The Python SDK's own unittest suite (sdks/python/tests), run by Debian's python3 against a live
 * server and the fault proxy started here; its exit code is the verdict, and what it sent is
 * checked on the server too.
 */
const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
let f: SdkFixture;
beforeAll(async () => {
  f = await startSdkFixture();
});
afterAll(() => f.stop());

test("python3 -m unittest: the Python SDK suite passes against the live server", async () => {
  const root = join(import.meta.dir, "../../sdks/python");
  const r = await run([PYTHON, "-m", "unittest", "discover", "-s", "tests", "-v"], { cwd: root, env: { ...f.env(), PYTHONDONTWRITEBYTECODE: "1" } });
  if (r.code !== 0) console.log(r.output);
  expect(r.code).toBe(0);
  expect(r.output).not.toMatch(/skipped/);
  expect(r.output).toMatch(/\nOK\n/);
  // what the suite sent is on the server
  expect(await f.eventCount("py_batch")).toBe(250);
  expect(await f.eventCount("py_exit")).toBe(3);
  expect(await f.eventCount("request")).toBe(4);
}, 120_000);
