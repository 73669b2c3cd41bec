import { connect, type Socket } from "node:net";
import { randomBytes } from "node:crypto";

/** Bun's WebSocket client with an Authorization header; resolves once open, collects answers. */
export async function openStream(url: string, key: string | null, opts: { query?: boolean } = {}) {
  const target = url.replace(/^http/, "ws") + "/api/v1/events/stream" + (opts.query && key ? `?key=${key}` : "");
  const ws = new WebSocket(target, opts.query || !key ? undefined : ({ headers: { Authorization: `Bearer ${key}` } } as any));
  const answers: any[] = [];
  const waiters: (() => void)[] = [];
  ws.onmessage = (m) => {
    answers.push(JSON.parse(String(m.data)));
    waiters.splice(0).forEach((w) => w());
  };
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (ws.onclose = (e) => resolve({ code: e.code, reason: e.reason })));
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error("WebSocket failed to open"));
  });
  return {
    ws,
    answers,
    closed,
    send: (msg: unknown) => ws.send(typeof msg === "string" ? msg : JSON.stringify(msg)),
    /** Resolves when at least n answers have arrived. */
    async until(n: number) {
      while (answers.length < n) await new Promise<void>((r) => waiters.push(r));
      return answers;
    },
  };
}

/**
 * A WebSocket client over a bare TCP socket, so a test can stop reading (socket.pause()) and be
 * the slow consumer a browser API would never let it be. Client frames are masked (RFC 6455).
 */
export async function rawStream(url: string, key: string): Promise<{ socket: Socket; send(text: string): boolean; readAll(n: number): Promise<{ texts: string[]; close: number | null }> }> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  await new Promise<void>((r) => socket.once("connect", () => r()));
  socket.write(
    `GET /api/v1/events/stream?key=${key} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  let buffered = Buffer.alloc(0);
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      if (!buffered.subarray(0, 12).toString().includes("101")) return reject(new Error(buffered.toString()));
      buffered = buffered.subarray(end + 4);
      socket.pause();
      resolve();
    };
    socket.on("data", onData);
  });
  return {
    socket,
    send(text: string) {
      const payload = Buffer.from(text);
      const mask = randomBytes(4);
      const len = payload.length;
      const head = len < 126 ? Buffer.from([0x81, 0x80 | len]) : len < 65536 ? Buffer.from([0x81, 0x80 | 126, len >> 8, len & 255]) : Buffer.concat([Buffer.from([0x81, 0x80 | 127]), u64(len)]);
      for (let i = 0; i < len; i++) payload[i]! ^= mask[i & 3]!;
      return socket.write(Buffer.concat([head, mask, payload]));
    },
    /** Resumes reading and parses frames until n text frames arrived or the server closed. */
    readAll(n: number) {
      return new Promise((resolve) => {
        const texts: string[] = [];
        let close: number | null = null;
        let settled = false;
        const parse = () => {
          for (;;) {
            if (buffered.length < 2) return;
            const op = buffered[0]! & 15;
            let len = buffered[1]! & 127;
            let at = 2;
            if (len === 126) (len = buffered.readUInt16BE(2)), (at = 4);
            else if (len === 127) (len = Number(buffered.readBigUInt64BE(2))), (at = 10);
            if (buffered.length < at + len) return;
            const payload = buffered.subarray(at, at + len);
            buffered = buffered.subarray(at + len);
            if (op === 1) {
              texts.push(payload.toString());
              if (texts.length >= n) return finish();
            }
            else if (op === 8) {
              close = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
              finish();
            }
          }
        };
        const finish = () => {
          if (settled) return;
          settled = true;
          socket.destroy();
          resolve({ texts, close });
        };
        parse();
        socket.on("data", (chunk: Buffer) => {
          buffered = Buffer.concat([buffered, chunk]);
          parse();
        });
        socket.on("close", finish);
        socket.resume();
      });
    },
  };
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}
