/**
 * store/sqlite-dialect.ts: several processes writing one SQLite job store (an API server beside a worker, D21).
 * Each transaction reads before it writes; begun deferred, one of them fails with SQLITE_BUSY whenever the other
 * process committed in between. Begun immediate, each waits for the write lock, and every insert goes in.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { openSqlite } from "../../src/store/connect.js";
import { JobStore } from "../../src/store/job-store.js";

const CHILD = fileURLToPath(new URL("./sqlite-writer-child.ts", import.meta.url));
const run = promisify(execFile);

describe("a SQLite job store shared by processes", () => {
  const dir = mkdtempSync(join(tmpdir(), "objbatch-sqlite-shared-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("takes every read-then-write transaction of two processes writing at once", async () => {
    const file = join(dir, "objbatch.sqlite");
    await (await openSqlite(file)).close(); // migrated once, before the writers start
    const perProcess = 300;
    const outputs = await Promise.all(
      ["1000000001", "1000000002"].map((account) =>
        run(process.execPath, ["--import", "tsx", CHILD, file, String(perProcess), account]),
      ),
    );
    const results = outputs.map((o) => JSON.parse(o.stdout) as { inserted: number; failed: number; errors: string[] });
    for (const r of results) assert.deepEqual([r.inserted, r.failed, r.errors], [perProcess, 0, []]);

    const conn = await openSqlite(file);
    try {
      const store = new JobStore(conn);
      for (const account of ["1000000001", "1000000002"]) {
        assert.equal(await store.countUnfinished(account, 1_000_000), perProcess);
      }
    } finally {
      await conn.close();
    }
  });
});
