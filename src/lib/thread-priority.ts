import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";

/**
 * Lowers the calling thread's priority to `nice`. Linux gives each thread its own nice value
 * (setpriority on the thread id), so a Worker or the CLI's main thread can yield to the server
 * without slowing the rest of its process; elsewhere a no-op.
 */
export function lowerThreadPriority(nice: number) {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (Number.isInteger(tid)) setPriority(tid, nice);
  } catch {
    // not Linux, or no /proc: the thread keeps its priority
  }
}
