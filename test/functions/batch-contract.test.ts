/**
 * functions/batch-contract.ts: the S3 Batch Operations -> Lambda request objbatch sends for one task (schema 1.0
 * names the bucket by ARN, 2.0 by name and carries the job's user arguments; keys URL-encoded as reports carry
 * them), the task id that stays the same for every attempt at the same object, and how a response body becomes
 * the task's outcome: a result code with its string, the job's treatMissingKeysAs when the task has no result,
 * or "invalid" for anything that is not the contract's JSON.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildBatchRequest, parseBatchResponse, taskIdOf } from "../../src/functions/batch-contract.js";

const JOB = "5f8a2b7c-1d3e-4f60-9a1b-2c3d4e5f6a7b";

describe("buildBatchRequest", () => {
  const task = { bucket: "photos", key: "2024/a b+c/ü.jpg", versionId: "v-3" };

  it("builds schema 1.0: the bucket as an ARN, no user arguments", () => {
    assert.deepEqual(buildBatchRequest({ schemaVersion: "1.0", invocationId: "inv-1", jobId: JOB, task }), {
      invocationSchemaVersion: "1.0",
      invocationId: "inv-1",
      job: { id: JOB },
      tasks: [
        {
          taskId: taskIdOf(JOB, task),
          s3Key: "2024/a%20b%2Bc/%C3%BC.jpg",
          s3VersionId: "v-3",
          s3BucketArn: "arn:aws:s3:::photos",
        },
      ],
    });
  });

  it("builds schema 2.0: the bucket by name, and the job's user arguments as an object", () => {
    const request = buildBatchRequest({
      schemaVersion: "2.0",
      invocationId: "inv-2",
      jobId: JOB,
      task,
      userArguments: [
        { key: "size", value: "small" },
        { key: "mode", value: "" },
      ],
    });
    assert.deepEqual(request, {
      invocationSchemaVersion: "2.0",
      invocationId: "inv-2",
      job: { id: JOB, userArguments: { size: "small", mode: "" } },
      tasks: [
        { taskId: taskIdOf(JOB, task), s3Key: "2024/a%20b%2Bc/%C3%BC.jpg", s3VersionId: "v-3", s3Bucket: "photos" },
      ],
    });
  });

  it("sends null for a task without a version, and {} for a 2.0 job without user arguments", () => {
    const plain = { bucket: "photos", key: "k" };
    const v1 = buildBatchRequest({ schemaVersion: "1.0", invocationId: "i", jobId: JOB, task: plain });
    assert.equal(v1.tasks[0]?.s3VersionId, null);
    const v2 = buildBatchRequest({ schemaVersion: "2.0", invocationId: "i", jobId: JOB, task: plain });
    assert.equal(v2.tasks[0]?.s3VersionId, null);
    assert.deepEqual(v2.job.userArguments, {});
    assert.equal(JSON.parse(JSON.stringify(v2)).tasks[0].s3VersionId, null, "null on the wire, not left out");
  });

  it("encodes keys a JSON or CSV reader would trip on, and keeps the null version's name", () => {
    const odd = { bucket: "b", key: 'quote" comma, newline\n%41', versionId: "null" };
    const [sent] = buildBatchRequest({ schemaVersion: "1.0", invocationId: "i", jobId: JOB, task: odd }).tasks;
    assert.equal(sent?.s3Key, "quote%22%20comma%2C%20newline%0A%2541");
    assert.equal(decodeURIComponent(sent?.s3Key ?? ""), odd.key);
    assert.equal(sent?.s3VersionId, "null");
  });
});

describe("taskIdOf", () => {
  const task = { bucket: "photos", key: "a.jpg" };

  it("is the same for every attempt at the same object of the same job: 32 URL-safe characters", () => {
    const id = taskIdOf(JOB, task);
    assert.match(id, /^[A-Za-z0-9_-]{32}$/);
    assert.equal(taskIdOf(JOB, { ...task }), id);
  });

  it("differs for another job, bucket, key or version, even where a naive join would collide", () => {
    const ids = [
      taskIdOf(JOB, task),
      taskIdOf("another-job", task),
      taskIdOf(JOB, { ...task, bucket: "photos2" }),
      taskIdOf(JOB, { ...task, key: "b.jpg" }),
      taskIdOf(JOB, { ...task, versionId: "v1" }),
      taskIdOf(JOB, { bucket: "a", key: "b/c" }),
      taskIdOf(JOB, { bucket: "a/b", key: "c" }),
      taskIdOf(JOB, { bucket: "a", key: "bc" }),
      taskIdOf(JOB, { bucket: "ab", key: "c" }),
    ];
    assert.equal(new Set(ids).size, ids.length);
  });

  it("gives the null version its own id, apart from a task that names no version", () => {
    assert.notEqual(taskIdOf(JOB, { ...task, versionId: "null" }), taskIdOf(JOB, task));
    assert.equal(taskIdOf(JOB, { ...task, versionId: undefined }), taskIdOf(JOB, task));
  });
});

describe("parseBatchResponse", () => {
  const ID = "task-1";
  const body = (payload: unknown) => JSON.stringify(payload);
  const answer = (results: unknown[], extra: Record<string, unknown> = {}) =>
    body({
      invocationSchemaVersion: "1.0",
      invocationId: "inv",
      treatMissingKeysAs: "PermanentFailure",
      results,
      ...extra,
    });

  it("reads the task's result code and string", () => {
    for (const code of ["Succeeded", "TemporaryFailure", "PermanentFailure"]) {
      assert.deepEqual(parseBatchResponse(answer([{ taskId: ID, resultCode: code, resultString: `it ${code}` }]), ID), {
        kind: "result",
        code,
        resultString: `it ${code}`,
      });
    }
  });

  it("picks the task's own result out of several", () => {
    const results = [
      { taskId: "other", resultCode: "PermanentFailure", resultString: "not mine" },
      null,
      "junk",
      { taskId: ID, resultCode: "Succeeded", resultString: "mine" },
    ];
    assert.deepEqual(parseBatchResponse(answer(results), ID), {
      kind: "result",
      code: "Succeeded",
      resultString: "mine",
    });
  });

  it("shows a resultString that is not text as JSON, and none as empty", () => {
    const parse = (resultString: unknown) =>
      parseBatchResponse(answer([{ taskId: ID, resultCode: "Succeeded", resultString }]), ID);
    assert.equal((parse({ width: 10 }) as { resultString: string }).resultString, '{"width":10}');
    assert.equal((parse(42) as { resultString: string }).resultString, "42");
    assert.equal((parse(null) as { resultString: string }).resultString, "");
    assert.equal(
      (parseBatchResponse(answer([{ taskId: ID, resultCode: "Succeeded" }]), ID) as { resultString: string })
        .resultString,
      "",
    );
  });

  it("treats a task without a result as treatMissingKeysAs says, PermanentFailure when it says nothing", () => {
    const missing = `The function returned no result for task ${ID}`;
    assert.deepEqual(parseBatchResponse(answer([], { treatMissingKeysAs: "Succeeded" }), ID), {
      kind: "result",
      code: "Succeeded",
      resultString: missing,
    });
    assert.deepEqual(parseBatchResponse(answer([], { treatMissingKeysAs: "TemporaryFailure" }), ID), {
      kind: "result",
      code: "TemporaryFailure",
      resultString: missing,
    });
    assert.deepEqual(parseBatchResponse(body({ results: [{ taskId: "other", resultCode: "Succeeded" }] }), ID), {
      kind: "result",
      code: "PermanentFailure",
      resultString: missing,
    });
  });

  it("calls anything that is not the contract's JSON invalid, saying why", () => {
    const why = (text: string) => {
      const outcome = parseBatchResponse(text, ID);
      assert.equal(outcome.kind, "invalid", text);
      return (outcome as { why: string }).why;
    };
    assert.match(why('{"results": [ oops'), /JSON/);
    assert.match(why(""), /JSON/);
    assert.equal(why("[]"), "the payload is not a JSON object");
    assert.equal(why("null"), "the payload is not a JSON object");
    assert.equal(why('"Succeeded"'), "the payload is not a JSON object");
    assert.equal(why(body({ invocationId: "inv" })), 'the payload has no "results" array');
    assert.equal(why(body({ results: { taskId: ID } })), 'the payload has no "results" array');
    assert.equal(why(answer([], { treatMissingKeysAs: "Ignore" })), 'treatMissingKeysAs "Ignore" is not a result code');
    assert.equal(why(answer([], { treatMissingKeysAs: 1 })), "treatMissingKeysAs 1 is not a result code");
    assert.equal(
      why(answer([{ taskId: ID, resultCode: "succeeded" }])),
      'resultCode "succeeded" is not Succeeded, TemporaryFailure or PermanentFailure',
    );
    assert.equal(
      why(answer([{ taskId: ID }])),
      "resultCode undefined is not Succeeded, TemporaryFailure or PermanentFailure",
    );
  });
});
