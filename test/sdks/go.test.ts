import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { run, startSdkFixture, type SdkFixture } from "./support";

/**
 * The Go SDK's own tests (sdks/go, `go test`), built with Debian's Go (1.19; `.ci/run` installs
 * golang-go when it is missing) and run against a live server and the fault proxy started here.
 */
const GO = Bun.which("go") ?? "/usr/bin/go";
const dir = join(import.meta.dir, "../../sdks/go");
// No module downloads (the SDK is stdlib only) and no toolchain switching: the Go that is installed.
const goEnv = { GOFLAGS: "-mod=mod", GOTOOLCHAIN: "local", GOPROXY: "off", GO111MODULE: "on" };
let f: SdkFixture;
beforeAll(async () => {
  f = await startSdkFixture();
});
afterAll(() => f.stop());

test("go vet and go test: the Go SDK suite passes against the live server", async () => {
  const vet = await run([GO, "vet", "./..."], { cwd: dir, env: goEnv });
  if (vet.code !== 0) console.log(vet.output);
  expect(vet.code).toBe(0);
  const r = await run([GO, "test", "-count=1", "-v", "./..."], { cwd: dir, env: { ...goEnv, ...f.env() } });
  if (r.code !== 0) console.log(r.output);
  expect(r.code).toBe(0);
  expect(r.output).not.toMatch(/--- SKIP/);
  expect(r.output).toMatch(/^ok\s+github\.com\/litekpi\/litekpi-go/m);
  expect(await f.eventCount("go_batch")).toBe(250);
  expect(await f.eventCount("go_exit")).toBe(3);
  expect(await f.eventCount("request")).toBe(5);
}, 300_000);
