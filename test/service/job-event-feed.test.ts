/**
 * service/job-event-feed.ts on real PostgreSQL: one poller hands every event to every listener in id order, and a
 * store that goes away (nothing answers on its port) is waited out: the events written meanwhile by another
 * process arrive once it is back, none lost, none twice, and the feed never throws.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { JobEvent } from "../../src/domain/job-event.js";
import { JobEventFeed } from "../../src/service/job-event-feed.js";
import { openPostgres } from "../../src/store/connect.js";
import { JobStore } from "../../src/store/job-store.js";
import { freezableProxy, throughPort } from "../helpers/store-faults.js";
import { createPgDatabase, newJob } from "../helpers/stores.js";

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it("hands every event to every listener in order, and waits out a store that went away", {
  timeout: 120_000,
}, async () => {
  const database = await createPgDatabase();
  const proxy = freezableProxy(new URL(database.url));
  const port = await proxy.listen();
  const writer = new JobStore(await openPostgres(database.url, 2));
  const reader = new JobStore(await openPostgres(throughPort(database.url, port), 2));
  const feed = new JobEventFeed({ store: reader, intervalMs: 10, maxBackoffMs: 100 });
  try {
    const first: JobEvent[] = [];
    const second: JobEvent[] = [];
    const a = await feed.subscribe((events) => first.push(...events));
    const b = await feed.subscribe((events) => second.push(...events));
    assert.equal(a.cursor, b.cursor);
    assert.equal(feed.listenerCount, 2);

    const before = newJob({ accountId: "acct-feed" });
    await writer.insertJob(before);
    await until(() => first.length === 1 && second.length === 1, "the first event");

    await proxy.close(); // the reader's store is gone: every poll fails
    const during = [newJob({ accountId: "acct-feed" }), newJob({ accountId: "acct-feed" })];
    for (const job of during) {
      await writer.insertJob(job);
      await writer.transition(job.jobId, "New", "Cancelling", 2_000);
    }
    await proxy.listen(port);
    await until(() => first.length === 5, "the events written while the store was away");
    assert.deepEqual(
      first.map((e) => [e.type, e.jobId]),
      [
        ["job.created", before.jobId],
        ["job.created", during[0].jobId],
        ["job.status", during[0].jobId],
        ["job.created", during[1].jobId],
        ["job.status", during[1].jobId],
      ],
    );
    assert.deepEqual(
      second.map((e) => e.id),
      first.map((e) => e.id),
    );
    const ids = first.map((e) => e.id);
    assert.deepEqual(
      ids,
      [...ids].sort((x, y) => x - y),
    );
    a.unsubscribe();
    b.unsubscribe();
    assert.equal(feed.listenerCount, 0);
  } finally {
    feed.close();
    await reader.close();
    await writer.close();
    await proxy.close().catch(() => undefined);
    await database.drop();
  }
});
