/**
 * CORS for the endpoints browsers call (posthog-js on any site). They authenticate with a token
 * in the body, never a cookie, so echoing the Origin grants a page nothing it could not send
 * with a plain form post; credentials are allowed because posthog-js may send `withCredentials`.
 */
function corsHeaders(req: Request): Record<string, string> {
  const origin = req.headers.get("origin");
  return origin ? { "Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true", Vary: "Origin" } : { "Access-Control-Allow-Origin": "*" };
}

export async function withCors(req: Request, res: Promise<Response>): Promise<Response> {
  const out = await res;
  for (const [k, v] of Object.entries(corsHeaders(req))) out.headers.set(k, v);
  return out;
}

export function preflight(req: Request): Response {
  return new Response(null, {
    status: 204,
    headers: {
      ...corsHeaders(req),
      "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
      "Access-Control-Allow-Headers": req.headers.get("access-control-request-headers") ?? "Content-Type, Content-Encoding",
      "Access-Control-Max-Age": "86400",
    },
  });
}
