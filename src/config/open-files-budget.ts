/**
 * How the process's open-file limit (`ulimit -n`) is shared between HTTP connections and the engine. Every
 * connection is a file descriptor; once the process has none left, accept() fails and every new client is
 * turned away, and the engine cannot open the files and sockets its tasks need. So the default connection cap
 * is what the limit leaves after the engine's share: two descriptors per task in flight on each runner thread
 * (a copy reads one file and writes another), each S3 route's connection pool on each thread, and 128 for the
 * rest (the job store, logs, manifests being read). The cap is never below a quarter of the limit, nor above
 * 10,000.
 */
import { readFileSync } from "node:fs";
import type { EngineOptions } from "../engine/options.js";
import type { StorageConfig } from "../storage/open-storage.js";

const MAX_DEFAULT_CONNECTIONS = 10_000;
/** Where the limit cannot be read (not Linux): a cap that fits the common `ulimit -n` of 1024. */
const UNKNOWN_LIMIT_CONNECTIONS = 512;
const OTHER_FILES = 128;

/** The soft open-file limit of this process: a number, "unlimited", or undefined where it cannot be read. */
export function openFilesLimit(limitsFile = "/proc/self/limits"): number | "unlimited" | undefined {
  let text: string;
  try {
    text = readFileSync(limitsFile, "utf8");
  } catch {
    return undefined;
  }
  const soft = /^Max open files\s+(\S+)/m.exec(text)?.[1];
  if (soft === "unlimited") return "unlimited";
  const n = Number(soft);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** Descriptors the engine may hold open at once with these settings. */
export function engineOpenFiles(engine: EngineOptions, storage: StorageConfig): number {
  const threads = Math.max(1, engine.runnerThreads);
  const stores = storage.kind === "routed" ? storage.routes.map((r) => r.store) : [storage];
  const pools = new Map<string, number>();
  for (const store of stores) {
    if (store.kind === "s3") pools.set(JSON.stringify(store), store.maxSockets ?? engine.taskConcurrency + 8);
  }
  const s3Sockets = [...pools.values()].reduce((sum, n) => sum + n * (engine.runnerThreads + 1), 0);
  return OTHER_FILES + 2 * engine.taskConcurrency * threads + s3Sockets;
}

/** The default HTTP connection cap for an open-file limit and the engine's share of it. */
export function defaultMaxConnections(limit: number | "unlimited" | undefined, engineFiles: number): number {
  if (limit === undefined) return UNKNOWN_LIMIT_CONNECTIONS;
  if (limit === "unlimited") return MAX_DEFAULT_CONNECTIONS;
  return Math.max(1, Math.min(MAX_DEFAULT_CONNECTIONS, Math.max(limit - engineFiles, Math.floor(limit / 4))));
}
