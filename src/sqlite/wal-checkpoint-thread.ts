/**
 * The thread of a WalCheckpointer (wal-checkpointer.ts): its own connection to the database, checkpointing the
 * WAL every `intervalMs` without waiting on readers or writers (PASSIVE), until the owner says "close".
 */
import { parentPort, workerData } from "node:worker_threads";
import { openSqliteDatabase } from "./database.js";

export interface CheckpointThreadData {
  readonly file: string;
  readonly intervalMs: number;
}

const { file, intervalMs } = workerData as CheckpointThreadData;
const db = openSqliteDatabase(file);
const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");

const timer = setInterval(() => {
  try {
    checkpoint.get();
  } catch {
    // A busy or failing checkpoint is tried again next interval; meanwhile the owner's own backstop holds the WAL.
  }
}, intervalMs);

parentPort?.on("message", (message: unknown) => {
  if (message !== "close") return;
  clearInterval(timer);
  db.close();
  parentPort?.postMessage("closed");
});
