/** Valid ingest bodies in every form the endpoints take (one, a list, the wrapper; nulls for absent). */
export const GOOD_POINTS: unknown[] = [
  { metric: "signups", value: 1 },
  [{ metric: "signups", value: 1, tags: { plan: "pro", "a.b:c-d_e": "x" } }, { metric: "revenue", value: -49.5, timestamp: "2026-03-08T14:30:00Z" }],
  { points: [{ metric: "m", value: 0, timestamp: "2026-03-08T14:30:00.123+01:00", tags: null }] },
  { points: [] },
  [],
  { metric: "m".repeat(200), value: 1e300, timestamp: null, tags: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, "v"])) },
  { metric: "ünïcødé 📈", value: 1, timestamp: "2026-03-08 14:30" },
];

export const GOOD_EVENTS: unknown[] = [
  { event: "signup" },
  [{ event: "signup", namespace: "auth", properties: { plan: "pro", n: [1, { a: null }] }, context: { user_id: "u1", session_id: "s1", org_id: "o" }, id: "e-1", timestamp: "2026-03-08T14:30:00Z" }],
  { events: [{ event: "a", namespace: null, properties: null, context: null, id: null, timestamp: null }] },
  { events: [] },
  { event: "x", context: { user_id: null, screen: { w: 1280 } } },
];
