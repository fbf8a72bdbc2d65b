/**
 * The answers to CreateJob, UpdateJobPriority and UpdateJobStatus (src/api/dialects/shared/job-results.ts): one
 * body per answer, written identically for COS, OSS and S3 Control (S3 Control adds its namespace to the root), with
 * StatusUpdateReason only when the job has one. COS and OSS re-export these very functions; S3 Control wraps them
 * with its namespace.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as cos from "../../../../src/api/dialects/cos/responses.js";
import * as oss from "../../../../src/api/dialects/oss/responses.js";
import * as s3control from "../../../../src/api/dialects/s3control/responses.js";
import {
  renderCreateJobResult,
  renderUpdateJobPriorityResult,
  renderUpdateJobStatusResult,
} from "../../../../src/api/dialects/shared/job-results.js";
import { XML_DECLARATION } from "../../../../src/api/xml/build.js";

const XMLNS = "http://awss3control.amazonaws.com/doc/2018-08-20/";

describe("job results", () => {
  it("CreateJobResult holds the JobId", () => {
    assert.equal(
      renderCreateJobResult("job-1"),
      `${XML_DECLARATION}<CreateJobResult><JobId>job-1</JobId></CreateJobResult>`,
    );
  });

  it("UpdateJobPriorityResult holds the JobId, then the Priority", () => {
    assert.equal(
      renderUpdateJobPriorityResult({ jobId: "job-1", priority: 2147483647 }),
      `${XML_DECLARATION}<UpdateJobPriorityResult><JobId>job-1</JobId><Priority>2147483647</Priority></UpdateJobPriorityResult>`,
    );
  });

  it("UpdateJobStatusResult holds the JobId, the Status and, when there is one, the StatusUpdateReason, escaped", () => {
    assert.equal(
      renderUpdateJobStatusResult({ jobId: "job-1", status: "Cancelling", statusUpdateReason: "no <longer> & needed" }),
      `${XML_DECLARATION}<UpdateJobStatusResult><JobId>job-1</JobId><Status>Cancelling</Status>` +
        "<StatusUpdateReason>no &lt;longer&gt; &amp; needed</StatusUpdateReason></UpdateJobStatusResult>",
    );
    assert.equal(
      renderUpdateJobStatusResult({ jobId: "job-1", status: "Ready" }),
      `${XML_DECLARATION}<UpdateJobStatusResult><JobId>job-1</JobId><Status>Ready</Status></UpdateJobStatusResult>`,
    );
  });

  it("declares a namespace on the root only, when given one", () => {
    assert.equal(
      renderCreateJobResult("job-1", XMLNS),
      `${XML_DECLARATION}<CreateJobResult xmlns="${XMLNS}"><JobId>job-1</JobId></CreateJobResult>`,
    );
    assert.match(
      renderUpdateJobPriorityResult({ jobId: "j", priority: 1 }, XMLNS),
      /^<\?xml[^>]*\?><UpdateJobPriorityResult xmlns="[^"]+"><JobId>/,
    );
    assert.match(
      renderUpdateJobStatusResult({ jobId: "j", status: "Ready" }, XMLNS),
      /^<\?xml[^>]*\?><UpdateJobStatusResult xmlns="[^"]+"><JobId>/,
    );
  });

  it("are the very functions COS and OSS answer with, and S3 Control's differ only by the namespace", () => {
    for (const dialect of [cos, oss]) {
      assert.equal(dialect.renderCreateJobResult, renderCreateJobResult);
      assert.equal(dialect.renderUpdateJobPriorityResult, renderUpdateJobPriorityResult);
      assert.equal(dialect.renderUpdateJobStatusResult, renderUpdateJobStatusResult);
    }
    const job = { jobId: "job-1", priority: 5, status: "Cancelled" as const, statusUpdateReason: "r" };
    assert.equal(s3control.renderCreateJobResult("job-1"), renderCreateJobResult("job-1", XMLNS));
    assert.equal(s3control.renderUpdateJobPriorityResult(job), renderUpdateJobPriorityResult(job, XMLNS));
    assert.equal(s3control.renderUpdateJobStatusResult(job), renderUpdateJobStatusResult(job, XMLNS));
  });
});
