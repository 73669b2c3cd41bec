/**
 * The floor for per-request cost: Bun.serve answering a JSON POST with no framework, no auth and
 * no storage. R4 compares single-point POSTs to our server with this. Env: PORT.
 */
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT),
  maxRequestBodySize: 2 * 1024 * 1024,
  async fetch(req) {
    if (req.method !== "POST") return new Response("ok");
    const body = (await req.json()) as unknown;
    return Response.json({ accepted: Array.isArray(body) ? body.length : 1 });
  },
});
process.on("SIGTERM", () => {
  server.stop(true);
  process.exit(0);
});
