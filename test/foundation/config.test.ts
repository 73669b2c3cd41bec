import { describe, expect, test } from "bun:test";
import { loadConfig, ConfigError } from "../../src/config";

describe("configuration", () => {
  test("defaults match the README", () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.dataDir).toBe("./data");
    expect(c.sync).toBe("full");
    expect(c.baseUrl).toBe("http://localhost:8080");
    expect(c.google).toBeUndefined();
  });

  const bad: [string, Record<string, string>][] = [
    ["PORT", { PORT: "abc" }],
    ["PORT", { PORT: "70000" }],
    ["LITEKPI_SYNC", { LITEKPI_SYNC: "sometimes" }],
    ["BASE_URL", { BASE_URL: "not a url" }],
    ["SMTP_URL", { SMTP_URL: "http://mail" }],
    ["RATE_LIMIT_KEY_RPS", { RATE_LIMIT_KEY_RPS: "-3" }],
    ["GOOGLE_CLIENT_SECRET", { GOOGLE_CLIENT_ID: "id-only" }],
  ];
  for (const [name, env] of bad) {
    test(`a bad ${name} (${JSON.stringify(env)}) is refused with a message naming it`, () => {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      try {
        loadConfig(env);
      } catch (err) {
        expect((err as Error).message).toContain(name);
      }
    });
  }

  test("empty strings count as unset (docker-compose blanks)", () => {
    expect(loadConfig({ SMTP_URL: "", PORT: "" }).port).toBe(8080);
  });
});
