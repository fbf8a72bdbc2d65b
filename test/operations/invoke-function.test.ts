/**
 * InvokeFunction against a real HTTP server that speaks the Lambda batch contract (function-server.ts), on
 * the real local backend; retries go through the real chunk runner (executeChunk with its retry policy).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { StaticAccountRegistry } from "../../src/accounts/types.js";
import type { InvokeFunctionOperation, Job } from "../../src/domain/job.js";
import { executeChunk } from "../../src/engine/chunk-runner.js";
import { makeJobContext } from "../../src/engine/job-context.js";
import { Semaphore } from "../../src/engine/semaphore.js";
import type { FunctionEndpoints } from "../../src/functions/endpoints.js";
import { invokeFunction } from "../../src/operations/invoke-function.js";
import type { OperationContext } from "../../src/operations/types.js";
import { isStorageError } from "../../src/storage/errors.js";
import { arnOf, FLAKY_FAILURES, type FunctionServer, startFunctionServer } from "./function-server.js";
import { type Fixture, withFixture } from "./helpers.js";

const invoke = (name: string, extra: Partial<InvokeFunctionOperation> = {}): InvokeFunctionOperation => ({
  kind: "InvokeFunction",
  functionArn: arnOf(name),
  ...extra,
});

describe("invokeFunction", () => {
  let f: Fixture;
  let server: FunctionServer;
  let functions: FunctionEndpoints;
  const context = (signal?: AbortSignal): OperationContext => ({
    storage: f.storage,
    jobId: "job-42",
    accountId: "acct-1",
    functions,
    ...(signal ? { signal } : {}),
  });
  const requestsTo = (path: string) => server.requests.filter((r) => r.path === path);

  before(async () => {
    f = await withFixture(["photos", "other"]);
    server = await startFunctionServer();
    functions = {
      ...server.endpoints(),
      [arnOf("slow")]: { url: `${server.url}/slow`, timeoutMs: 150 },
      [arnOf("missing-succeeds")]: { url: `${server.url}/missing?treat=Succeeded`, timeoutMs: 5_000 },
      [arnOf("closed-port")]: { url: "http://127.0.0.1:1/fn", timeoutMs: 1_000 },
    };
  });
  after(async () => {
    await server.close();
    await f.cleanup();
  });

  it("sends a schema 1.0 request (bucket ARN, URL-encoded key, null version) and reports resultString", async () => {
    const task = { bucket: "photos", key: "2024/summer day+1 é.jpg" };
    const result = await invokeFunction(task, invoke("echo"), context());
    assert.deepEqual(result, {
      status: "succeeded",
      httpStatus: 200,
      errorCode: "",
      message: "processed photos/2024/summer day+1 é.jpg",
    });
    const [request] = requestsTo("echo");
    assert.equal(request.contentType, "application/json");
    const { body } = request;
    assert.equal(body.invocationSchemaVersion, "1.0");
    assert.match(body.invocationId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(body.job, { id: "job-42" });
    assert.equal(body.tasks.length, 1);
    assert.deepEqual(Object.keys(body.tasks[0]).sort(), ["s3BucketArn", "s3Key", "s3VersionId", "taskId"]);
    assert.equal(body.tasks[0].s3BucketArn, "arn:aws:s3:::photos");
    assert.equal(body.tasks[0].s3Key, "2024/summer%20day%2B1%20%C3%A9.jpg");
    assert.equal(body.tasks[0].s3VersionId, null);
    assert.equal(typeof body.tasks[0].taskId, "string");
  });

  it("sends a schema 2.0 request with userArguments and the bucket name", async () => {
    const before = requestsTo("echo").length;
    const op = invoke("echo", {
      invocationSchemaVersion: "2.0",
      userArguments: [
        { key: "size", value: "small" },
        { key: "format", value: "webp" },
      ],
    });
    const result = await invokeFunction({ bucket: "photos", key: "a.png", versionId: "null" }, op, context());
    assert.equal(result.message, "processed photos/a.png");
    const { body } = requestsTo("echo")[before];
    assert.equal(body.invocationSchemaVersion, "2.0");
    assert.deepEqual(body.job, { id: "job-42", userArguments: { size: "small", format: "webp" } });
    assert.deepEqual(Object.keys(body.tasks[0]).sort(), ["s3Bucket", "s3Key", "s3VersionId", "taskId"]);
    assert.equal(body.tasks[0].s3Bucket, "photos");
    assert.equal(body.tasks[0].s3VersionId, "null");
    // 2.0 without arguments still sends the object.
    await invokeFunction(
      { bucket: "photos", key: "b.png" },
      invoke("echo", { invocationSchemaVersion: "2.0" }),
      context(),
    );
    assert.deepEqual(requestsTo("echo").at(-1)!.body.job, { id: "job-42", userArguments: {} });
  });

  it("calls the unqualified ARN's endpoint for an alias, version or $LATEST", async () => {
    for (const qualifier of ["live", "7", "$LATEST"]) {
      const result = await invokeFunction(
        { bucket: "photos", key: "q.png" },
        { kind: "InvokeFunction", functionArn: `${arnOf("echo")}:${qualifier}` },
        context(),
      );
      assert.equal(result.status, "succeeded", qualifier);
    }
  });

  it("PermanentFailure -> failed, 200, PermanentFailure with the function's string", async () => {
    const result = await invokeFunction({ bucket: "photos", key: "x y.raw" }, invoke("permanent"), context());
    assert.deepEqual(result, {
      status: "failed",
      httpStatus: 200,
      errorCode: "PermanentFailure",
      message: "cannot process x y.raw",
    });
  });

  it("a payload that is not JSON -> Invalid JSON returned in Lambda payload", async () => {
    const result = await invokeFunction({ bucket: "photos", key: "k" }, invoke("bad-json"), context());
    assert.deepEqual([result.status, result.httpStatus, result.errorCode], ["failed", 200, "PermanentFailure"]);
    assert.match(result.message, /^Invalid JSON returned in Lambda payload/);
  });

  it("a missing result counts as treatMissingKeysAs (PermanentFailure unless the function says otherwise)", async () => {
    const absent = await invokeFunction({ bucket: "photos", key: "k" }, invoke("missing"), context());
    assert.deepEqual([absent.status, absent.errorCode], ["failed", "PermanentFailure"]);
    assert.match(absent.message, /no result for task/);
    const lenient = await invokeFunction({ bucket: "photos", key: "k" }, invoke("missing-succeeds"), context());
    assert.equal(lenient.status, "succeeded");
  });

  it("X-Amz-Function-Error -> Lambda returned function error", async () => {
    const result = await invokeFunction({ bucket: "photos", key: "k" }, invoke("function-error"), context());
    assert.deepEqual(result, {
      status: "failed",
      httpStatus: 200,
      errorCode: "PermanentFailure",
      message: 'Lambda returned function error: {"errorMessage":"Task timed out after 3.00 seconds"}',
    });
  });

  it("an unconfigured FunctionArn fails with 400 and calls nothing; so do a missing bucket and bad schema", async () => {
    const count = server.requests.length;
    const unknown = await invokeFunction(
      { bucket: "photos", key: "k" },
      { kind: "InvokeFunction", functionArn: "arn:aws:lambda:us-east-1:123456789012:function:nobody" },
      context(),
    );
    assert.deepEqual([unknown.status, unknown.httpStatus, unknown.errorCode], ["failed", 400, "InvalidRequest"]);
    assert.match(unknown.message, /No function endpoint is configured for FunctionArn .*:function:nobody/);
    const url = await invokeFunction(
      { bucket: "photos", key: "k" },
      { kind: "InvokeFunction", functionArn: `${server.url}/echo` },
      context(),
    );
    assert.deepEqual([url.httpStatus, url.errorCode], [400, "InvalidRequest"], "a URL as FunctionArn is not called");
    const noBucket = await invokeFunction({ bucket: "ghost", key: "k" }, invoke("echo"), context());
    assert.deepEqual([noBucket.httpStatus, noBucket.errorCode], [404, "NoSuchBucket"]);
    const schema = await invokeFunction(
      { bucket: "photos", key: "k" },
      invoke("echo", { invocationSchemaVersion: "3.0" }),
      context(),
    );
    assert.deepEqual([schema.httpStatus, schema.errorCode], [400, "InvalidRequest"]);
    const args = await invokeFunction(
      { bucket: "photos", key: "k" },
      invoke("echo", { userArguments: [{ key: "a", value: "b" }] }),
      context(),
    );
    assert.match(args.message, /UserArguments need InvocationSchemaVersion 2.0/);
    assert.equal(server.requests.length, count);
  });

  it("a bucket the job may not use fails 403 AccessDenied without calling the function", async () => {
    const accounts = new StaticAccountRegistry([{ id: "acct-1", keys: [], buckets: ["photos"] }]);
    const job = jobFor(invoke("echo"), "photos", "m.csv");
    const restricted = makeJobContext(job, f.storage, accounts, functions);
    const count = server.requests.length;
    const denied = await invokeFunction({ bucket: "other", key: "k" }, invoke("echo"), {
      storage: restricted.storage,
      jobId: "job-42",
      accountId: "acct-1",
      functions,
    });
    assert.deepEqual([denied.status, denied.httpStatus, denied.errorCode], ["failed", 403, "AccessDenied"]);
    assert.equal(server.requests.length, count);
  });

  it("throws retryable errors for TemporaryFailure, 5xx, timeouts and unreachable endpoints", async () => {
    const cases: [string, string, number][] = [
      ["temporary", "TemporaryFailure", 200],
      ["error-500", "ServiceException", 500],
      ["slow", "RequestTimeout", 504],
      ["closed-port", "ServiceUnavailable", 503],
    ];
    for (const [name, code, status] of cases) {
      const error = await invokeFunction({ bucket: "photos", key: "k" }, invoke(name), context()).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(isStorageError(error), `${name}: ${String(error)}`);
      assert.deepEqual([error.code, error.httpStatus, error.retryable], [code, status, true], name);
    }
  });

  it("redirects and other 4xx answers fail without retry, and the redirect is not followed", async () => {
    const echoes = requestsTo("echo").length;
    const redirect = await invokeFunction({ bucket: "photos", key: "k" }, invoke("redirect"), context());
    assert.deepEqual(
      [redirect.status, redirect.httpStatus, redirect.errorCode],
      ["failed", 302, "FunctionEndpointError"],
    );
    assert.match(redirect.message, /redirects are not followed/);
    assert.equal(requestsTo("echo").length, echoes);
    const notFound = await invokeFunction({ bucket: "photos", key: "k" }, invoke("not-found"), context());
    assert.deepEqual([notFound.httpStatus, notFound.errorCode], [404, "FunctionEndpointError"]);
    assert.match(notFound.message, /no such function/);
  });

  it("stops when the chunk's signal aborts (shutdown is not a result)", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const longer = { ...functions, [arnOf("slow")]: { url: `${server.url}/slow`, timeoutMs: 5_000 } };
    const started = Date.now();
    await assert.rejects(
      invokeFunction({ bucket: "photos", key: "k" }, invoke("slow"), {
        ...context(controller.signal),
        functions: longer,
      }),
    );
    assert.ok(Date.now() - started < 1_500, "the call was cut short");
  });

  describe("through the chunk runner's retries", () => {
    const retry = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 };

    /** Runs a one-chunk job over `keys` of bucket photos and returns its report rows by key. */
    async function runJob(operation: InvokeFunctionOperation, keys: string[], attempts = retry.attempts) {
      const manifestKey = `manifests/${Math.random().toString(36).slice(2)}.csv`;
      const body = `${keys.map((k) => `photos,${encodeURIComponent(k)}`).join("\n")}\n`;
      await f.storage.put("photos", manifestKey, body);
      const accounts = new StaticAccountRegistry([{ id: "acct-1", keys: [], buckets: ["*"] }]);
      const ctx = makeJobContext(jobFor(operation, "photos", manifestKey), f.storage, accounts, functions);
      const execution = await executeChunk(
        { retry: { ...retry, attempts }, log: pino({ level: "silent" }), tasks: new Semaphore(4) },
        ctx,
        { seq: 0, startByte: 0, endByte: Buffer.byteLength(body), firstRecord: 0 },
        { status: () => "Active", shutdown: new AbortController().signal },
      );
      assert.equal(execution.kind, "done");
      if (execution.kind !== "done") throw new Error("aborted");
      return execution.results;
    }

    it("TemporaryFailure is retried with the same taskId until the function succeeds", async () => {
      const results = await runJob(invoke("flaky"), ["warm.txt"]);
      assert.deepEqual([results.succeeded, results.failed], [1, 0]);
      assert.match(results.succeededRows ?? "", /^photos,warm.txt,,succeeded,200,,ok\n$/);
      const calls = requestsTo("flaky");
      assert.equal(calls.length, FLAKY_FAILURES + 1);
      assert.equal(new Set(calls.map((c) => c.body.tasks[0].taskId)).size, 1, "one taskId for every attempt");
      assert.equal(new Set(calls.map((c) => c.body.invocationId)).size, calls.length, "a new invocationId each");
    });

    it("TemporaryFailure on the last attempt fails the task with the last resultString", async () => {
      const results = await runJob(invoke("temporary"), ["busy.txt"], 3);
      assert.deepEqual([results.succeeded, results.failed], [0, 1]);
      assert.equal(results.failedRows, 'photos,busy.txt,,failed,200,TemporaryFailure,"busy, attempt 3"\n');
    });

    it("HTTP 500 is retried; a lasting 500 fails with ServiceException", async () => {
      const once = await runJob(invoke("500-once"), ["once.txt"]);
      assert.deepEqual([once.succeeded, once.failed], [1, 0]);
      const always = await runJob(invoke("error-500"), ["down.txt"], 2);
      assert.match(
        always.failedRows ?? "",
        /^photos,down.txt,,failed,500,ServiceException,Function endpoint .* answered HTTP 500: internal trouble\n$/,
      );
    });

    it("mixes outcomes in one chunk: each task gets its own row", async () => {
      const results = await runJob(invoke("by-key"), ["a.txt", "fail-b.txt", "c d.txt"]);
      assert.deepEqual([results.succeeded, results.failed], [2, 1]);
      assert.equal(results.failedRows, "photos,fail-b.txt,,failed,200,PermanentFailure,refused fail-b.txt\n");
      assert.equal(
        results.succeededRows,
        "photos,a.txt,,succeeded,200,,done a.txt\nphotos,c%20d.txt,,succeeded,200,,done c d.txt\n",
      );
    });
  });
});

function jobFor(operation: InvokeFunctionOperation, bucket: string, manifestKey: string): Job {
  return {
    jobId: "job-42",
    accountId: "acct-1",
    dialect: "s3control",
    clientRequestToken: "t",
    confirmationRequired: false,
    priority: 10,
    roleArn: "arn:aws:iam::123456789012:role/batch",
    operation,
    manifest: {
      format: "S3BatchOperations_CSV_20180820",
      fields: ["Bucket", "Key"],
      location: { bucket: { arn: `arn:aws:s3:::${bucket}`, bucket }, key: manifestKey },
    },
    report: { enabled: true, scope: "AllTasks" },
    status: "Active",
    creationTime: new Date(),
    failureReasons: [],
    progress: { total: -1, succeeded: 0, failed: 0, elapsedActiveSeconds: 0 },
  };
}
