/**
 * A process writing to a shared SQLite job store (sqlite-dialect.test.ts starts two at once): it inserts
 * `count` jobs under the unfinished-jobs cap, each a transaction that reads (the count) and then writes, and
 * prints one JSON line: how many went in and the errors of those that failed.
 */

import { openSqlite } from "../../src/store/connect.js";
import { JobStore } from "../../src/store/job-store.js";
import { newJob } from "../helpers/stores.js";

const [file, count, accountId] = process.argv.slice(2) as [string, string, string];
const conn = await openSqlite(file);
const store = new JobStore(conn);
let inserted = 0;
const errors: string[] = [];
for (let i = 0; i < Number(count); i++) {
  try {
    if (await store.insertJobUnderCap(newJob({ accountId }), 1_000_000)) inserted++;
  } catch (e) {
    errors.push(`${(e as Error).name}: ${(e as Error).message}`);
  }
}
await conn.close();
process.stdout.write(`${JSON.stringify({ inserted, errors: errors.slice(0, 3), failed: errors.length })}\n`);
