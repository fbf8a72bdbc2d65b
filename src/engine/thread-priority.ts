/**
 * Lowering one thread's CPU priority. On Linux the nice value belongs to each thread, and setpriority() given a
 * thread id changes that thread alone; a thread finds its own id through /proc/thread-self. Runner threads call
 * this at start, so on a busy machine the main thread (the API, the engine's bookkeeping) is scheduled first and
 * a request waits for the CPU less, while the runners still get whatever the main thread leaves. Elsewhere (no
 * /proc/thread-self, or not Linux) it does nothing: the threads keep the process's priority.
 */
import { readlinkSync } from "node:fs";
import { getPriority, setPriority } from "node:os";

/** The calling thread's Linux thread id, or undefined where there is no /proc/thread-self. */
export function currentThreadId(): number | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    // "<pid>/task/<tid>"
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes the calling thread `by` nice levels lower in priority than it is (at most 19); returns the thread's nice
 * value afterwards, or undefined when it could not be changed (not Linux, or `by` is 0).
 */
export function lowerThisThreadPriority(by: number): number | undefined {
  if (by <= 0) return undefined;
  const tid = currentThreadId();
  if (tid === undefined) return undefined;
  try {
    const nice = Math.min(19, getPriority(tid) + by);
    setPriority(tid, nice);
    return getPriority(tid);
  } catch {
    return undefined;
  }
}
