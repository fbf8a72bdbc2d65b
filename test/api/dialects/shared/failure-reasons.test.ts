/**
 * A job's FailureReasons element (src/api/dialects/shared/failure-reasons.ts): one item per failure, FailureCode
 * then FailureReason, under the item name the dialect uses (COS and OSS `JobFailure`, S3 Control `member`); no
 * failures is an empty element (each dialect decides whether to write it).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderFailureReasons } from "../../../../src/api/dialects/shared/failure-reasons.js";
import { toXml } from "../../../../src/api/xml/build.js";

const write = (node: Parameters<typeof toXml>[0]) => toXml(node, { declaration: false });

describe("renderFailureReasons", () => {
  const failures = [
    { code: "ManifestNotFound", reason: "The manifest does not exist." },
    { code: "TooManyFailures", reason: "More than 50% of tasks <failed> & stopped." },
  ];

  it("writes one JobFailure per failure, in order, escaped (COS and OSS)", () => {
    assert.equal(
      write(renderFailureReasons(failures, "JobFailure")),
      "<FailureReasons>" +
        "<JobFailure><FailureCode>ManifestNotFound</FailureCode><FailureReason>The manifest does not exist.</FailureReason></JobFailure>" +
        "<JobFailure><FailureCode>TooManyFailures</FailureCode><FailureReason>More than 50% of tasks &lt;failed&gt; &amp; stopped.</FailureReason></JobFailure>" +
        "</FailureReasons>",
    );
  });

  it("writes member items for S3 Control", () => {
    assert.equal(
      write(renderFailureReasons(failures.slice(0, 1), "member")),
      "<FailureReasons><member><FailureCode>ManifestNotFound</FailureCode><FailureReason>The manifest does not exist.</FailureReason></member></FailureReasons>",
    );
  });

  it("writes an empty element for a job without failures", () => {
    assert.equal(write(renderFailureReasons([], "JobFailure")), "<FailureReasons></FailureReasons>");
    assert.equal(write(renderFailureReasons([], "member")), "<FailureReasons></FailureReasons>");
  });
});
