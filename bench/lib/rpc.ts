import { resolve } from "node:path";
import { pinnedToServerCore, spawnTracked, stopProcess } from "./procs";

/**
 * In-process ceilings run in their own child process pinned to the server core (like the
 * servers), driven over stdin/stdout JSON lines: one request line in, one answer line out.
 * The child stays up across rounds, so its database grows like the servers' do.
 */
export type Worker = { call<T = any>(msg: object): Promise<T>; pid: number; stop(): Promise<void> };

export const REPO = resolve(import.meta.dir, "../..");

export async function startWorker(script: string, env: Record<string, string> = {}): Promise<Worker> {
  const proc = spawnTracked(pinnedToServerCore([process.execPath, resolve(REPO, "bench/workers", script)]), {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  const nextLine = async (): Promise<string> => {
    for (;;) {
      const nl = buffered.indexOf("\n");
      if (nl >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        return line;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error(`worker ${script} exited (${proc.exitCode ?? "?"})`);
      buffered += decoder.decode(value, { stream: true });
    }
  };
  const parse = (line: string) => {
    const msg = JSON.parse(line);
    if (msg.error) throw new Error(`worker ${script}: ${msg.error}`);
    return msg;
  };
  parse(await nextLine()); // {"ready":true}
  let chain: Promise<unknown> = Promise.resolve();
  return {
    pid: proc.pid,
    call(msg) {
      const answer = chain.then(async () => {
        const stdin = proc.stdin as import("bun").FileSink;
        stdin.write(JSON.stringify(msg) + "\n");
        await stdin.flush();
        return parse(await nextLine());
      });
      chain = answer.catch(() => {});
      return answer as Promise<any>;
    },
    async stop() {
      try {
        (proc.stdin as import("bun").FileSink).end();
      } catch {}
      await stopProcess(proc);
    },
  };
}

/** Child side: answer each stdin line with `handle(msg)`'s JSON (or `{error}`). */
export async function serveWorker(handle: (msg: any) => unknown | Promise<unknown>) {
  const out = (obj: unknown) => process.stdout.write(JSON.stringify(obj) + "\n");
  out({ ready: true });
  for await (const line of console) {
    if (!line.trim()) continue;
    try {
      out((await handle(JSON.parse(line))) ?? {});
    } catch (err) {
      out({ error: err instanceof Error ? err.stack ?? err.message : String(err) });
    }
  }
}
