// Holds a lock on workerData.file (a new, non-WAL database) for workerData.ms, then lets go: an exclusive one, or
// with workerData.lock "reserved" the write lock of a transaction that has written (others may still read).
import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";

const { file, ms, lock } = workerData as { file: string; ms: number; lock?: "exclusive" | "reserved" };
const require = createRequire(import.meta.url);
type Db = { exec(sql: string): void; close(): void };
const db: Db =
  Number(process.versions.node.split(".")[0]) >= 24
    ? new (require("node:sqlite").DatabaseSync)(file)
    : new (require("better-sqlite3"))(file);
db.exec("create table if not exists held (x)");
if (lock === "reserved") db.exec("BEGIN IMMEDIATE; insert into held values (1)");
else db.exec("BEGIN EXCLUSIVE");
parentPort!.postMessage("locked");
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
db.exec("COMMIT");
db.close();
parentPort!.postMessage("released");
