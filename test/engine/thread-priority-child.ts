/** A worker thread for thread-priority.test.ts: lowers its own priority and says what came of it. */
import { parentPort, workerData } from "node:worker_threads";
import { currentThreadId, lowerThisThreadPriority } from "../../src/engine/thread-priority.js";

const answer = lowerThisThreadPriority((workerData as { by: number }).by);
parentPort?.postMessage({ answer, tid: currentThreadId() });
// Stay alive until terminated, so the parent can read this thread's /proc entry.
setInterval(() => undefined, 60_000);
