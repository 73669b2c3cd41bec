import { describe, test, expect, afterAll } from "bun:test";
import { tempDir } from "../helpers/deps";
import { runCliProcess } from "../helpers/process";
import { domainCandidates, normalizeDomain } from "../../src/web/sites";

describe("web domains", () => {
  test("what people paste becomes the bare host", () => {
    expect(normalizeDomain("https://www.Example.com:8080/pricing?x=1")).toBe("example.com");
    expect(normalizeDomain(" shop.example.com. ")).toBe("shop.example.com");
    expect(normalizeDomain("localhost")).toBe("localhost");
  });

  test("what is not a host name is refused with the field", () => {
    for (const bad of ["", "exa mple.com", "-x.com", "x..com", "a".repeat(64) + ".com", "ex_ample.com"]) {
      expect(() => normalizeDomain(bad)).toThrow();
      try {
        normalizeDomain(bad);
      } catch (e) {
        expect((e as { field?: string }).field).toBe("domain");
      }
    }
  });

  test("example.com matches www.example.com; a sub-domain only itself", () => {
    expect(domainCandidates("www.example.com")).toEqual(["www.example.com", "example.com"]);
    expect(domainCandidates("shop.example.com")).toEqual(["shop.example.com"]);
  });
});

describe("litekpi products create --domain", () => {
  const dir = tempDir();
  const env = { DATA_DIR: dir.path };
  afterAll(() => dir.remove());

  test("prints the site token and the domains; a taken domain creates nothing", async () => {
    expect((await runCliProcess(["users", "create", "--email", "o@example.com", "--password", "long enough pw"], env)).code).toBe(0);
    const made = await runCliProcess(["products", "create", "--owner", "o@example.com", "--name", "Site", "--domain", "https://www.Example.com/", "--domain", "shop.example.com", "--json"], env);
    expect(made.code).toBe(0);
    const product = JSON.parse(made.stdout);
    expect(product.siteToken).toMatch(/^site_[a-z0-9]+$/);
    expect(product.domains).toEqual(["example.com", "shop.example.com"]);

    const taken = await runCliProcess(["products", "create", "--owner", "o@example.com", "--name", "Other", "--domain", "example.com", "--json"], env);
    expect(taken.code).toBe(1);
    expect(JSON.parse(taken.stderr || taken.stdout)).toMatchObject({ error: "domain_taken", field: "domain" });
    const list = JSON.parse((await runCliProcess(["products", "list", "--json"], env)).stdout);
    expect(list.products.map((p: { name: string }) => p.name)).toEqual(["Site"]);
  });
});
