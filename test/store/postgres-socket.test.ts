/**
 * A PostgreSQL on the same machine, reached through its Unix socket: the store URL names the socket's directory
 * as its host (percent-encoded), as README's scaling section advises for a co-located server.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { openStore, type StoreConnection } from "../../src/store/connect.js";
import { JobStore } from "../../src/store/job-store.js";
import { createPgDatabase, newJob, unixSocketUrl } from "../helpers/stores.js";

describe("a PostgreSQL store through the server's Unix socket", () => {
  let database: Awaited<ReturnType<typeof createPgDatabase>>;
  let connection: StoreConnection;
  let store: JobStore;

  before(async () => {
    database = await createPgDatabase();
    connection = await openStore(await unixSocketUrl(database.url));
    store = new JobStore(connection);
  });
  after(async () => {
    await store?.close();
    await database?.drop();
  });

  it("connects through the socket, not TCP, and keeps jobs there", async () => {
    // inet_client_addr() is null for a connection over a Unix socket.
    const { rows } = await sql<{ addr: string | null }>`select inet_client_addr()::text as addr`.execute(connection.db);
    assert.equal(rows[0]?.addr, null);
    const job = newJob();
    await store.insertJob(job);
    assert.equal((await store.getJob(job.jobId))?.jobId, job.jobId);
  });
});
