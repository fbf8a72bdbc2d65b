/**
 * The test COS client sends the same signed request through fetch and through node:http (the benches' lean
 * transport), and both read the same answers from a real objbatch: a created job, its description, a refusal.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SEED_CREATE_JOB_BODY } from "../api/fixtures/cos-seeds.js";
import { startTestApp, type TestApp } from "./app.js";
import { cosRequest } from "./cos-client.js";

describe("the test COS client's two transports", () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ runEngine: false });
  });
  after(() => app.dispose());

  for (const [creates, describes] of [
    ["fetch", "http"],
    ["http", "fetch"],
  ] as const) {
    it(`a job created through ${creates} is described through ${describes}, and both read refusals alike`, async () => {
      const body = SEED_CREATE_JOB_BODY.replace(/<ClientRequestToken>[^<]*</, `<ClientRequestToken>by-${creates}<`);
      const created = await cosRequest(app.url, "POST", "/jobs", { body, transport: creates });
      assert.equal(created.status, 200, created.text);
      const jobId: string = created.xml.CreateJobResult.JobId;
      assert.match(created.headers.get("content-type") ?? "", /xml/);

      const described = await cosRequest(app.url, "GET", `/jobs/${jobId}`, { transport: describes });
      assert.equal(described.status, 200, described.text);
      assert.equal(described.xml.DescribeJobResult.Job.JobId, jobId);
      assert.equal(described.xml.DescribeJobResult.Job.Description, "example-job");
      assert.ok(described.ms > 0);

      // The token again, through the other transport: COS refuses a reused ClientRequestToken.
      const again = await cosRequest(app.url, "POST", "/jobs", { body, transport: describes });
      assert.equal(again.status, 400, again.text);
      assert.equal(again.xml.Error.Message, "Duplicate request.");

      const missing = await Promise.all(
        (["fetch", "http"] as const).map((transport) =>
          cosRequest(app.url, "GET", "/jobs/00000000-0000-4000-8000-000000000000", { transport }),
        ),
      );
      assert.deepEqual(
        missing.map((m) => [m.status, m.xml.Error.Code]),
        [
          [404, "NoSuchJob"],
          [404, "NoSuchJob"],
        ],
      );
    });
  }
});
