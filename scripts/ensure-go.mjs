// Runs before `npm test` (plain Node): the Go SDK's tests (test/sdks/go.test.ts) need Go; Debian's
// golang-go (1.19 on bookworm) is the version the SDK promises to build with. Installed with
// apt-get when root and missing; otherwise the exact command is printed.
import { execSync } from "node:child_process";

const has = (cmd) => {
  try {
    execSync(`command -v ${cmd}`, { stdio: "ignore", shell: "/bin/sh" });
    return true;
  } catch {
    return false;
  }
};
if (!has("go")) {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot) {
    console.error("The Go SDK tests need Go. Install Debian's with:\n  sudo apt-get update && sudo apt-get install -y golang-go");
    process.exit(1);
  }
  console.error("Installing Debian's golang-go for the Go SDK tests…");
  execSync("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go >/dev/null", { stdio: "inherit" });
}
