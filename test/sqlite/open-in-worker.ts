// Opens the database named by workerData.file through the adapter and answers its journal mode.
import { parentPort, workerData } from "node:worker_threads";
import { openSqliteDatabase } from "../../src/sqlite/database.js";

const db = openSqliteDatabase((workerData as { file: string }).file);
db.exec("create table if not exists t (k text primary key)");
const mode = (db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode;
db.close();
parentPort!.postMessage(mode);
