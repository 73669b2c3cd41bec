// bun test ignores [env] in bunfig.toml, so the test environment is set here.
import { vendor } from "../scripts/vendor";

process.env.TZ = "UTC";
process.env.LOG_LEVEL ??= "silent";
vendor();
