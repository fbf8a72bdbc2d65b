/**
 * The per-account cap on unfinished jobs holds exactly under concurrent CreateJob calls: through two servers
 * sharing one PostgreSQL store, and through one server on SQLite. The count and the insert are one
 * transaction (store/jobs/insert-job.ts); every request past the cap gets COS's TooManyJobs error.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { cosRequest } from "../helpers/cos-client.js";
import { createPgDatabase } from "../helpers/stores.js";
import { createJobXml } from "./helpers.js";

const CAP = 50;
const REQUESTS = 300;

/** Sends REQUESTS CreateJob calls at once, spread over `apps`; returns the created job ids and the refusals. */
async function createConcurrently(apps: readonly TestApp[]) {
  const answers = await Promise.all(
    Array.from({ length: REQUESTS }, (_, i) =>
      cosRequest(apps[i % apps.length].url, "POST", "/jobs", {
        body: createJobXml({
          token: `cap-${i}`,
          manifest: "qcs::cos:ap-chengdu::src-1250000000/manifest.csv",
          operation: "<COSDeleteObject/>",
        }),
      }),
    ),
  );
  const created = answers.filter((a) => a.status === 200).map((a) => a.xml.CreateJobResult.JobId as string);
  const refused = answers.filter((a) => a.status !== 200);
  return { created, refused };
}

function assertCapHeld(result: Awaited<ReturnType<typeof createConcurrently>>) {
  assert.equal(result.created.length, CAP, `exactly ${CAP} jobs created, not ${result.created.length}`);
  assert.equal(new Set(result.created).size, CAP);
  assert.equal(result.refused.length, REQUESTS - CAP);
  for (const r of result.refused) {
    assert.equal(r.status, 500, r.text); // COS documents TooManyJobs as a 500
    assert.equal(r.xml.Error.Code, "TooManyJobs", r.text);
    assert.match(r.xml.Error.Message, new RegExp(`limit of ${CAP}`));
  }
}

describe("the unfinished-jobs cap under concurrent CreateJob calls", () => {
  describe("two servers on one PostgreSQL store", () => {
    let database: Awaited<ReturnType<typeof createPgDatabase>>;
    let first: TestApp;
    let second: TestApp;
    before(async () => {
      database = await createPgDatabase();
      // No engine: jobs stay unfinished, so the cap is all that limits them.
      const options = { storeUrl: database.url, runEngine: false, configFile: { maxUnfinishedJobs: CAP } };
      first = await startTestApp(options);
      second = await startTestApp({ ...options, dataDir: first.dataDir });
    });
    after(async () => {
      await second?.close();
      await first?.dispose();
      await database?.drop();
    });

    it(`creates exactly ${CAP} of ${REQUESTS} jobs`, { timeout: 60_000 }, async () => {
      assertCapHeld(await createConcurrently([first, second]));
      assert.equal(await first.store.countUnfinished("1250000000"), CAP);
    });
  });

  describe("one server on SQLite", () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp({ runEngine: false, configFile: { maxUnfinishedJobs: CAP } });
    });
    after(() => app?.dispose());

    it(`creates exactly ${CAP} of ${REQUESTS} jobs`, { timeout: 60_000 }, async () => {
      assertCapHeld(await createConcurrently([app]));
      assert.equal(await app.store.countUnfinished("1250000000"), CAP);
    });
  });
});
