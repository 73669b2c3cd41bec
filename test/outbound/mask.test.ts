import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { looksMasked, maskUrl, maskUrlsIn, sameMaskedUrl } from "../../src/outbound/mask";
import { checkOutboundUrl } from "../../src/outbound/guard";
import { parseOutboundAllow } from "../../src/outbound/allow";

/**
 * How a saved outbound URL is shown back: credentials (user:password@, every query value, a
 * fragment) hidden, everything a user recognises a URL by kept; and a masked URL given back
 * unchanged is recognised as "the stored one", never called.
 */
describe("masked outbound URLs", () => {
  test("hides user:password@, every query value and the fragment; keeps scheme, host, port, path and parameter names", () => {
    expect(maskUrl("https://hooks.example.com/in")).toBe("https://hooks.example.com/in");
    expect(maskUrl("https://hooks.example.com")).toBe("https://hooks.example.com/");
    expect(maskUrl("https://bob:hunter2@hooks.example.com:8443/in")).toBe("https://…@hooks.example.com:8443/in");
    expect(maskUrl("https://tok_abc@hooks.example.com/in")).toBe("https://…@hooks.example.com/in");
    expect(maskUrl("https://hooks.example.com/in?token=s3cr3t&v=2&flag&empty=")).toBe("https://hooks.example.com/in?token=…&v=…&flag&empty=");
    expect(maskUrl("https://prod.westus.logic.azure.com/workflows/1/triggers/manual/paths/invoke?api-version=2016&sp=%2Ftriggers&sig=AbC")).toBe(
      "https://prod.westus.logic.azure.com/workflows/1/triggers/manual/paths/invoke?api-version=…&sp=…&sig=…",
    );
    expect(maskUrl("https://hooks.example.com/in#secret")).toBe("https://hooks.example.com/in#…");
    expect(maskUrl("not a url")).toBe("not a url");
  });

  test("property: no query value, user or password of any URL survives masking", () => {
    const word = fc.stringMatching(/^[A-Za-z0-9_-]{6,24}$/);
    fc.assert(
      fc.property(word, word, fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,8}$/), word), { minLength: 1, maxLength: 5 }), (user, pass, params) => {
        const raw = `https://${user}:${pass}@hooks.example.com/p?${params.map(([k, v]) => `${k}=${v}`).join("&")}`;
        const shown = maskUrl(raw);
        expect(shown.startsWith("https://…@hooks.example.com/p?")).toBe(true);
        for (const secret of [user, pass, ...params.map(([, v]) => v)]) expect(shown).not.toContain(`=${secret}`);
        expect(shown).not.toContain(user);
        expect(shown).not.toContain(pass);
        expect(sameMaskedUrl(shown, raw)).toBe(true);
      }),
    );
  });

  test("URLs inside text (an error naming a redirect's Location) are masked", () => {
    expect(maskUrlsIn("Answered 302 (a redirect to https://x.example/cb?code=abc123); redirects are not followed")).toBe(
      "Answered 302 (a redirect to https://x.example/cb?code=…); redirects are not followed",
    );
    expect(maskUrlsIn("Answered 503: busy")).toBe("Answered 503: busy");
  });

  test("a masked URL is recognised, and the guard refuses to save one as a new URL, naming the field", async () => {
    const shown = maskUrl("https://hooks.example.com/in?token=s3cr3t");
    expect(looksMasked(shown)).toBe(true);
    expect(looksMasked(new URL(shown).href)).toBe(true); // as a browser submits it, percent-encoded
    expect(looksMasked("https://hooks.example.com/in?token=s3cr3t")).toBe(false);
    expect(sameMaskedUrl(shown, "https://hooks.example.com/in?token=other")).toBe(true); // the stored one decides which
    expect(sameMaskedUrl(shown, "https://hooks.example.com/out?token=s3cr3t")).toBe(false);
    const err = await checkOutboundUrl(shown, { allow: parseOutboundAllow("").allow, field: "url" }).catch((e) => e);
    expect(err).toMatchObject({ status: 400, code: "outbound_url_refused", field: "url" });
    expect(err.message).toContain("masked");
  });
});
