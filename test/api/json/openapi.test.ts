/**
 * The OpenAPI document the JSON API serves: public, valid OpenAPI 3.1 by a real validator, describing every
 * route the server answers, with the very schemas the routes validate with.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import { JobSchema } from "../../../src/api/json/schemas/job.js";
import { ProblemSchema } from "../../../src/api/json/schemas/problem.js";
import { CreateJobRequestSchema, UpdateJobRequestSchema } from "../../../src/api/json/schemas/requests.js";
import {
  ALICE,
  DocumentChecker,
  type Json,
  JsonApiClient,
  type JsonApiServer,
  startJsonApiServer,
} from "../../helpers/json-api.js";
import { sqliteTestStore, type TestStore } from "../../helpers/stores.js";

let store: TestStore;
let server: JsonApiServer;
let document: Json;

before(async () => {
  store = await sqliteTestStore();
  server = await startJsonApiServer(store);
  const r = await fetch(`${server.url}/api/v1/openapi.json`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type") ?? "", /^application\/json/);
  document = await r.json();
});

after(async () => {
  await server.close();
  await store.dispose();
});

describe("GET /api/v1/openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 1)?.slice(0, 2000));
    assert.equal(validator.version, "3.1");
    assert.equal(document.openapi, "3.1.0");
  });

  it("the validator finds a broken document invalid (the check above can fail)", async () => {
    const broken = structuredClone(document);
    broken.paths["/api/v1/jobs"].get.responses = "none";
    const result = await new Validator().validate(broken);
    assert.equal(result.valid, false);
  });

  it("describes every route, each with SigV4 or a session but the document and signing in", () => {
    const operations = Object.entries<Json>(document.paths).flatMap(([path, item]) =>
      Object.entries<Json>(item).map(([method, op]) => `${method.toUpperCase()} ${path} ${op.operationId}`),
    );
    assert.deepEqual(operations.sort(), [
      "DELETE /api/v1/jobs/{jobId} deleteJob",
      "DELETE /api/v1/jobs/{jobId}/tags deleteJobTags",
      "DELETE /api/v1/schedules/{scheduleId} deleteSchedule",
      "DELETE /api/v1/session signOut",
      "DELETE /api/v1/sessions revokeSessions",
      "DELETE /api/v1/tokens/{tokenId} revokeToken",
      "DELETE /api/v1/webhooks/{webhookId} deleteWebhook",
      "GET /api/v1/events streamAccountEvents",
      "GET /api/v1/jobs listJobs",
      "GET /api/v1/jobs/{jobId} getJob",
      "GET /api/v1/jobs/{jobId}/events streamJobEvents",
      "GET /api/v1/jobs/{jobId}/failures getJobFailures",
      "GET /api/v1/jobs/{jobId}/report getJobReport",
      "GET /api/v1/jobs/{jobId}/report/files/{status}/{index} getJobReportFile",
      "GET /api/v1/jobs/{jobId}/tags getJobTags",
      "GET /api/v1/jobs/{jobId}/tasks listJobTasks",
      "GET /api/v1/openapi.json getOpenApiDocument",
      "GET /api/v1/schedules listSchedules",
      "GET /api/v1/schedules/{scheduleId} getSchedule",
      "GET /api/v1/schedules/{scheduleId}/jobs listScheduleJobs",
      "GET /api/v1/session getSession",
      "GET /api/v1/tokens listTokens",
      "GET /api/v1/webhooks listWebhooks",
      "GET /api/v1/webhooks/{webhookId} getWebhook",
      "GET /api/v1/webhooks/{webhookId}/deliveries listWebhookDeliveries",
      "PATCH /api/v1/jobs/{jobId} updateJob",
      "POST /api/v1/jobs createJob",
      "POST /api/v1/jobs/preview previewJob",
      "POST /api/v1/jobs/{jobId}/cancel cancelJob",
      "POST /api/v1/jobs/{jobId}/clone cloneJob",
      "POST /api/v1/jobs/{jobId}/confirm confirmJob",
      "POST /api/v1/jobs/{jobId}/pause pauseJob",
      "POST /api/v1/jobs/{jobId}/rerun rerunJob",
      "POST /api/v1/jobs/{jobId}/resume resumeJob",
      "POST /api/v1/manifests uploadManifest",
      "POST /api/v1/schedules createSchedule",
      "POST /api/v1/schedules/{scheduleId}/pause pauseSchedule",
      "POST /api/v1/schedules/{scheduleId}/resume resumeSchedule",
      "POST /api/v1/session signIn",
      "POST /api/v1/tokens createToken",
      "POST /api/v1/webhooks createWebhook",
      "POST /api/v1/webhooks/{webhookId}/test testWebhook",
      "PUT /api/v1/jobs/{jobId}/tags putJobTags",
    ]);
    const sessionOnly = ["getSession", "signOut"];
    for (const [method, op] of Object.values<Json>(document.paths).flatMap((item) => Object.entries<Json>(item))) {
      const signed = op.operationId !== "getOpenApiDocument" && op.operationId !== "signIn";
      const security = sessionOnly.includes(op.operationId) ? [{ session: [] }] : [{ sigv4: [] }, { session: [] }];
      assert.deepEqual(op.security, signed ? security : [], op.operationId);
      const csrf = (op.parameters ?? []).find((p: Json) => p.name === "X-CSRF-Token");
      assert.equal(csrf?.in, signed && method !== "get" ? "header" : undefined, `${op.operationId} X-CSRF-Token`);
      if (signed) {
        for (const status of ["400", "401", "404", "500", "503"]) {
          assert.equal(
            op.responses[status]?.content?.["application/problem+json"]?.schema?.$ref,
            "#/components/schemas/Problem",
            `${op.operationId} ${status}`,
          );
        }
        assert.ok(op.responses["503"].headers["Retry-After"]);
      }
    }
    const signIn = document.paths["/api/v1/session"].post;
    assert.deepEqual(Object.keys(signIn.responses).sort(), ["201", "400", "401", "413", "415", "429", "500", "503"]);
    assert.ok(signIn.responses["429"].headers["Retry-After"]);
    assert.equal(signIn.requestBody.content["application/json"].schema.$ref, "#/components/schemas/SignInRequest");
    assert.deepEqual(document.components.securitySchemes.session, {
      type: "apiKey",
      in: "cookie",
      name: "objbatch_session",
      description: document.components.securitySchemes.session.description,
    });
    assert.deepEqual(document.paths["/api/v1/jobs"].get.parameters.map((p: Json) => p.name).sort(), [
      "createdAfter",
      "createdBefore",
      "cursor",
      "limit",
      "operation",
      "q",
      "status",
      "tag",
    ]);
  });

  it("holds the very schemas the routes validate with, one definition per shape", () => {
    const schemas = document.components.schemas;
    assert.deepEqual(schemas.CreateJobRequest, JSON.parse(JSON.stringify(CreateJobRequestSchema)));
    assert.deepEqual(schemas.UpdateJobRequest, JSON.parse(JSON.stringify(UpdateJobRequestSchema)));
    assert.deepEqual(schemas.Job, JSON.parse(JSON.stringify(JobSchema)));
    assert.deepEqual(schemas.Problem, JSON.parse(JSON.stringify(ProblemSchema)));
    assert.equal(
      document.paths["/api/v1/jobs"].post.requestBody.content["application/json"].schema.$ref,
      "#/components/schemas/CreateJobRequest",
    );
  });

  it("needs no signature, and a checker built from it accepts the server's own answers", async () => {
    const checker = new DocumentChecker(document);
    const client = new JsonApiClient(server.url, ALICE, checker);
    const r = await client.call({ path: "/api/v1/openapi.json", unsigned: true });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, document);
    const unsigned = await client.call({ path: "/api/v1/jobs", unsigned: true });
    assert.equal(unsigned.status, 401);
    assert.equal(checker.checked.size, 2);
  });
});
