import type { Server, SocketAddress } from "bun";

/**
 * A graceful stop for keep-alive clients. Bun's `server.stop()` closes idle keep-alive sockets at
 * once, so a client that sends its next request at that moment gets a reset. Instead, once
 * draining, every answer says `Connection: close`, and the stop waits until each connection that
 * was busy has had such an answer (or has been idle a while) before it closes the listener. A
 * request that is read is always answered; only a client silent for IDLE_MS can still race.
 */
const IDLE_MS = 1_000; // a connection quiet this long is not mid-conversation (a loaded machine slows clients)
const ANNOUNCE_MAX_MS = 3_000; // a stop never waits longer than this for clients to reconnect
const MAX_TRACKED = 10_000;

export function createDrain() {
  const lastAnswer = new Map<string, number>(); // "ip:port" of a connection → its last answer
  let draining = false;

  const key = (peer: SocketAddress | null) => (peer ? `${peer.address}:${peer.port}` : null);

  function note(peer: SocketAddress | null, out: Response): Response {
    const conn = key(peer);
    if (draining) {
      out.headers.set("Connection", "close");
      if (conn) lastAnswer.delete(conn);
    } else if (conn) {
      if (lastAnswer.size >= MAX_TRACKED) prune(lastAnswer, performance.now());
      lastAnswer.set(conn, performance.now());
    }
    return out;
  }

  /** Every answer passes through here: noted per connection, and told to close when draining. */
  function answerFor(peer: SocketAddress | null, res: Response | Promise<Response>): Response | Promise<Response> {
    // No async wrapper: a route answered after an await already costs one promise; this adds none.
    return res instanceof Promise ? res.then((out) => note(peer, out)) : note(peer, res);
  }

  return {
    answer: (req: Request, srv: Server<unknown>, res: Response | Promise<Response>) => answerFor(srv.requestIP(req), res),
    /** The same, for a route that read the peer's address itself (requestIP builds a new object per call). */
    answerFor,
    /** From now on answers close their connection; resolves when no busy connection is left. */
    async announce() {
      draining = true;
      const start = performance.now();
      for (let now = start; now - start < ANNOUNCE_MAX_MS; now = performance.now()) {
        prune(lastAnswer, now);
        if (lastAnswer.size === 0) return;
        await Bun.sleep(10);
      }
    },
  };
}

function prune(lastAnswer: Map<string, number>, now: number) {
  for (const [conn, at] of lastAnswer) if (now - at >= IDLE_MS) lastAnswer.delete(conn);
}
