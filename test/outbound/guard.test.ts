import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { checkOutboundUrl, fetchOutbound, OutboundError, type Resolver } from "../../src/outbound/guard";
import { EMPTY_ALLOW, parseOutboundAllow } from "../../src/outbound/allow";
import { loadConfig, ConfigError } from "../../src/config";

const none = { allow: EMPTY_ALLOW };
/** DNS lies off this machine: a resolver answering what a hostile DNS server could. */
const dns = (answers: Record<string, string[]>): Resolver => async (host) => {
  const list = answers[host];
  if (!list) throw new Error(`ENOTFOUND ${host}`);
  return list.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
};

const refusedLiterals: [string, string][] = [
  ["http://127.0.0.1/hook", "loopback"],
  ["http://127.8.9.10:8080/", "loopback"],
  ["http://0x7f.1/", "loopback"], // the URL parser turns this into 127.0.0.1
  ["http://2130706433/", "loopback"],
  ["http://10.1.2.3/", "private network (10.0.0.0/8)"],
  ["http://172.16.0.1/", "private network (172.16.0.0/12)"],
  ["http://172.31.255.254/", "private network (172.16.0.0/12)"],
  ["http://192.168.1.1/", "private network (192.168.0.0/16)"],
  ["http://169.254.169.254/latest/meta-data/", "link-local"],
  ["http://169.254.1.1/", "link-local"],
  ["http://100.64.0.1/", "carrier-grade NAT"],
  ["http://100.127.255.1/", "carrier-grade NAT"],
  ["http://224.0.0.1/", "multicast"],
  ["http://239.255.255.250/", "multicast"],
  ["http://0.0.0.0/", "this network"],
  ["http://[::1]/", "loopback (::1)"],
  ["http://[::]/", "unspecified"],
  ["http://[fc00::1]/", "unique local"],
  ["http://[fd12:3456::1]/", "unique local"],
  ["http://[fe80::1]/", "link-local (fe80::/10)"],
  ["http://[ff02::1]/", "multicast"],
  ["http://[::ffff:127.0.0.1]/", "loopback (127.0.0.0/8)"],
  ["http://[::ffff:169.254.169.254]/", "link-local"],
  ["http://[::ffff:10.0.0.1]/", "private network (10.0.0.0/8)"],
  ["http://[64:ff9b::192.168.0.1]/", "private network (192.168.0.0/16)"],
];

describe("the outbound guard at save", () => {
  for (const [url, why] of refusedLiterals) {
    test(`refuses ${url}`, async () => {
      const err = await checkOutboundUrl(url, none).catch((e) => e);
      expect(err.code).toBe("outbound_url_refused");
      expect(err.status).toBe(400);
      expect(err.field).toBe("url");
      expect(err.message).toContain(why);
    });
  }

  test("lets public addresses through, and 172.32/100.128 just outside the blocks", async () => {
    for (const url of ["https://1.1.1.1/", "http://172.32.0.1/", "http://100.128.0.1/", "https://[2606:4700::1111]/", "http://[::ffff:8.8.8.8]/"]) {
      expect((await checkOutboundUrl(url, none)).url.href).toBe(new URL(url).href);
    }
  });

  test("refuses a name that resolves to loopback (localhost, from this machine's resolver)", async () => {
    const err = await checkOutboundUrl("http://localhost:9/hook", none).catch((e) => e);
    expect(err.code).toBe("outbound_url_refused");
    expect(err.message).toContain("localhost resolves to");
  });

  test("refuses a name that resolves to a private or metadata address, even when another answer is public", async () => {
    const resolve = dns({ "hooks.example.com": ["93.184.216.34", "10.0.0.7"], "meta.example.com": ["169.254.169.254"], "v6.example.com": ["::ffff:127.0.0.1"], "ula.example.com": ["fd00::5"] });
    for (const [host, why] of [["hooks.example.com", "10.0.0.0/8"], ["meta.example.com", "169.254"], ["v6.example.com", "loopback"], ["ula.example.com", "fc00::/7"]]) {
      const err = await checkOutboundUrl(`https://${host}/x`, { allow: EMPTY_ALLOW, resolve }).catch((e) => e);
      expect(err.code).toBe("outbound_url_refused");
      expect(err.message).toContain(why!);
      expect(err.message).toContain(`${host} resolves to`);
    }
    expect((await checkOutboundUrl("https://ok.example.com/", { allow: EMPTY_ALLOW, resolve: dns({ "ok.example.com": ["93.184.216.34"] }) })).address.family).toBe(4);
  });

  test("refuses other schemes, credentials in the URL, junk and unknown hosts, naming the field", async () => {
    for (const url of ["ftp://1.1.1.1/", "file:///etc/passwd", "gopher://1.1.1.1/", "https://user:pw@1.1.1.1/", "not a url", "https://nowhere.invalid/"]) {
      const err = await checkOutboundUrl(url, { allow: EMPTY_ALLOW, field: "channels.0.url", resolve: dns({}) }).catch((e) => e);
      expect(err.code).toBe("outbound_url_refused");
      expect(err.field).toBe("channels.0.url");
    }
  });

  test("OUTBOUND_ALLOW lets a listed host, address or range through", async () => {
    const { allow } = parseOutboundAllow("127.0.0.1, internal.example.com, 10.0.0.0/8, ::1");
    expect((await checkOutboundUrl("http://127.0.0.1:1234/", { allow })).url.port).toBe("1234");
    expect((await checkOutboundUrl("http://[::1]/", { allow })).address.family).toBe(6);
    expect((await checkOutboundUrl("http://internal.example.com/", { allow, resolve: dns({ "internal.example.com": ["192.168.5.5"] }) })).url.hostname).toBe("internal.example.com");
    expect((await checkOutboundUrl("http://x.example.com/", { allow, resolve: dns({ "x.example.com": ["10.9.9.9"] }) })).address.family).toBe(4);
    // Still refused: a range that is not listed.
    expect((await checkOutboundUrl("http://192.168.0.1/", { allow }).catch((e) => e)).code).toBe("outbound_url_refused");
  });

  test("a bad OUTBOUND_ALLOW entry stops start-up naming the variable", () => {
    expect(() => loadConfig({ OUTBOUND_ALLOW: "10.0.0.0/99" })).toThrow(ConfigError);
    expect(() => loadConfig({ OUTBOUND_ALLOW: "not a host!" })).toThrow(/OUTBOUND_ALLOW/);
    expect(loadConfig({ OUTBOUND_ALLOW: "127.0.0.1,localhost" }).outboundAllow.hosts.has("localhost")).toBe(true);
  });
});

describe("the outbound guard at send", () => {
  let receiver: ReturnType<typeof Bun.serve>;
  const hits: string[] = [];
  beforeAll(() => {
    receiver = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      async fetch(req) {
        const path = new URL(req.url).pathname;
        hits.push(`${req.method} ${path} host=${req.headers.get("host")}`);
        if (path === "/redirect-metadata") return Response.redirect("http://169.254.169.254/latest/meta-data/", 302);
        if (path === "/redirect-self") return new Response(null, { status: 307, headers: { Location: "/ok" } });
        if (path === "/big") return new Response("x".repeat(1_000_000));
        if (path === "/slow") {
          await Bun.sleep(2_000);
          return new Response("late");
        }
        return new Response(`ok ${await req.text()}`);
      },
    });
  });
  afterAll(() => receiver.stop(true));
  const base = () => `http://127.0.0.1:${receiver.port}`;
  const allowLoopback = () => ({ allow: parseOutboundAllow("127.0.0.1").allow });

  test("refuses loopback at send when it is not allowed, before any byte is sent", async () => {
    const before = hits.length;
    const err = await fetchOutbound(`${base()}/ok`, { body: "x" }, none).catch((e) => e);
    expect(err).toBeInstanceOf(OutboundError);
    expect(err.permanent).toBe(true);
    expect(err.message).toContain("loopback");
    const named = await fetchOutbound(`http://localhost:${receiver.port}/ok`, { body: "x" }, none).catch((e) => e);
    expect(named.message).toContain("localhost resolves to");
    expect(hits.length).toBe(before);
  });

  test("connects to the address that was checked, keeping the Host the URL names", async () => {
    const { allow } = parseOutboundAllow("hooks.test");
    // A rebinding DNS would answer differently the second time; the guard resolves once and connects there.
    let calls = 0;
    const resolve: Resolver = async () => (calls++ === 0 ? [{ address: "127.0.0.1", family: 4 }] : [{ address: "169.254.169.254", family: 4 }]);
    const res = await fetchOutbound(`http://hooks.test:${receiver.port}/ok`, { body: "hi" }, { allow, resolve });
    expect(res.status).toBe(200);
    expect(res.body).toBe("ok hi");
    expect(calls).toBe(1);
    expect(hits.at(-1)).toBe(`POST /ok host=hooks.test:${receiver.port}`);
  });

  test("never follows a redirect: to metadata, or even to an allowed place", async () => {
    for (const path of ["/redirect-metadata", "/redirect-self"]) {
      const before = hits.length;
      const err = await fetchOutbound(`${base()}${path}`, { body: "x" }, allowLoopback()).catch((e) => e);
      expect(err).toBeInstanceOf(OutboundError);
      expect(err.permanent).toBe(true);
      expect(err.message).toContain("redirects are not followed");
      expect(hits.length).toBe(before + 1); // the redirect target was never requested
    }
  });

  test("caps the body it reads and times out a slow answer", async () => {
    const big = await fetchOutbound(`${base()}/big`, { method: "GET" }, { ...allowLoopback(), maxBytes: 1000 });
    expect(big.body.length).toBe(1000);
    expect(big.truncated).toBe(true);
    const slow = await fetchOutbound(`${base()}/slow`, { method: "GET" }, { ...allowLoopback(), timeoutMs: 200 }).catch((e) => e);
    expect(slow).toBeInstanceOf(OutboundError);
    expect(slow.permanent).toBe(false);
    expect(slow.message).toContain("No answer within");
  });
});
