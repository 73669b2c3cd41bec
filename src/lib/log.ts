/** Structured one-line JSON logs on stderr (stdout stays free for CLI output). */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
export type Logger = {
  debug(msg: string, ctx?: Record<string, unknown>): void;
  info(msg: string, ctx?: Record<string, unknown>): void;
  warn(msg: string, ctx?: Record<string, unknown>): void;
  error(msg: string, ctx?: Record<string, unknown>): void;
};

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line + "\n")): Logger {
  const at = (lvl: Exclude<LogLevel, "silent">) => (msg: string, ctx?: Record<string, unknown>) => {
    if (order[lvl] < order[level]) return;
    write(JSON.stringify({ t: new Date().toISOString(), level: lvl, msg, ...serialize(ctx) }));
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

function serialize(ctx?: Record<string, unknown>) {
  if (!ctx) return {};
  const out: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(ctx)) {
    out[k] = value instanceof Error ? { message: value.message, stack: value.stack, cause: String(value.cause ?? "") || undefined } : value;
  }
  return out;
}
