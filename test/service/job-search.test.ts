/**
 * searchJobs on both stores with a small scan budget: a filtered listing reads at most the budget per status
 * per page, pages end at the horizon of what they read, and walking the cursors finds exactly the matching
 * jobs, newest first, whatever the mix of statuses.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { JobSummary } from "../../src/domain/job.js";
import { searchJobs } from "../../src/service/job-search.js";
import type { JobPosition, JobSearch } from "../../src/service/types.js";
import type { JobStretch } from "../../src/store/job-store.js";
import { newJob, TEST_STORES, type TestStore } from "../helpers/stores.js";

const BUDGET = 5;

for (const openStore of TEST_STORES) {
  describe(`searchJobs (${openStore.name.replace("TestStore", "")})`, () => {
    let store: TestStore;
    const jobs: { jobId: string; description: string; status: string }[] = [];
    const reads: number[] = [];
    const counting = () => ({
      readJobStretch: (account: string, stretch: JobStretch, limit: number, now?: number): Promise<JobSummary[]> => {
        reads.push(limit);
        return store.store.readJobStretch(account, stretch, limit, now);
      },
    });

    before(async () => {
      store = await openStore();
      // 40 jobs, one a second; every fifth is "match", every third is cancelled. Two share a creation time.
      for (let i = 0; i < 40; i++) {
        const description = i % 5 === 0 ? `match ${i}` : `other ${i}`;
        const job = newJob({ description }, { creationTime: 1_000_000 + (i === 39 ? 38 : i) * 1000 });
        await store.store.insertJob(job);
        let status = "New";
        if (i % 3 === 0) {
          assert.ok(await store.store.transition(job.jobId, "New", "Cancelling", 0));
          status = "Cancelling";
        }
        jobs.unshift({ jobId: job.jobId, description, status });
      }
    });

    after(async () => {
      await store.dispose();
    });

    async function walk(search: Omit<JobSearch, "after">): Promise<{ ids: string[]; pages: number }> {
      const ids: string[] = [];
      let after: JobPosition | undefined;
      let pages = 0;
      do {
        reads.length = 0;
        const page = await searchJobs(counting(), "acct-1", { ...search, after }, 0, BUDGET);
        for (const read of reads) assert.ok(read <= Math.max(BUDGET, search.limit + 1), `read ${read}`);
        assert.ok(page.jobs.length <= search.limit);
        ids.push(...page.jobs.map((j) => j.jobId));
        after = page.next;
        pages++;
      } while (after !== undefined && pages < 100);
      return { ids, pages };
    }

    const expected = async (pick: (j: (typeof jobs)[number]) => boolean) => {
      // The store's own order (creation time, then id, descending) for the jobs that should match.
      const all = await store.store.readJobStretch("acct-1", {}, 1000, 0);
      const wanted = new Set(jobs.filter(pick).map((j) => j.jobId));
      return all.filter((j) => wanted.has(j.jobId)).map((j) => j.jobId);
    };

    it("finds exactly the matching jobs across pages, reading at most the budget per status per page", async () => {
      const { ids, pages } = await walk({ text: "MATCH", limit: 3 });
      assert.deepEqual(ids, await expected((j) => j.description.startsWith("match")));
      assert.ok(pages >= 40 / BUDGET, `pages ${pages}`);
    });

    it("does the same with several statuses, merged newest first", async () => {
      const { ids } = await walk({ text: "match", statuses: ["New", "Cancelling"], limit: 2 });
      assert.deepEqual(ids, await expected((j) => j.description.startsWith("match")));
      const cancelled = await walk({ text: "match", statuses: ["Cancelling"], limit: 10 });
      assert.deepEqual(
        cancelled.ids,
        await expected((j) => j.description.startsWith("match") && j.status === "Cancelling"),
      );
    });

    it("without a filter the budget does not apply: pages are full until the last", async () => {
      const { ids, pages } = await walk({ limit: 7 });
      assert.deepEqual(ids, await expected(() => true));
      assert.equal(pages, Math.ceil(40 / 7));
    });
  });
}
