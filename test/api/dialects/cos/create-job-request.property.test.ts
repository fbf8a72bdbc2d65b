/**
 * Property tests: whatever bytes arrive as a CreateJob body, the COS codec either returns a JobSpec or throws a
 * DomainError, never anything else (no TypeError, no RangeError, no fast-xml-parser Error), so bad input can
 * never become a 500.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseCosCreateJobRequest } from "../../../../src/api/dialects/cos/create-job-request.js";
import { renderDescribeJobResult } from "../../../../src/api/dialects/cos/responses.js";
import { escapeXmlText } from "../../../../src/api/xml/build.js";
import { parseXmlDocument } from "../../../../src/api/xml/parse.js";
import { isDomainError } from "../../../../src/domain/errors.js";
import type { JobSpec } from "../../../../src/domain/job.js";
import { mutatedBody, xmlElementTree, xmlFragment, xmlMutation } from "../../../helpers/xml-mutations.js";
import { SEED_CREATE_JOB_BODY } from "../../fixtures/cos-seeds.js";

const VALID_BODIES = [
  SEED_CREATE_JOB_BODY,
  SEED_CREATE_JOB_BODY.replace(
    /<Operation>.*<\/Operation>/,
    "<Operation><COSInitiateRestoreObject><ExpirationInDays>3</ExpirationInDays><JobTier>Standard</JobTier></COSInitiateRestoreObject></Operation>",
  ),
  SEED_CREATE_JOB_BODY.replace(
    /<Operation>.*<\/Operation>/,
    "<Operation><COSPutObjectTagging><TaggingDirective>Add</TaggingDirective><TagSet><COSTag><Key>a</Key><Value>b</Value></COSTag></TagSet></COSPutObjectTagging></Operation>",
  ),
  SEED_CREATE_JOB_BODY.replace(
    /<Operation>.*<\/Operation>/,
    "<Operation><COSPutObjectCopy><TargetResource>arn:aws:s3:::dest</TargetResource><PrefixReplace>true</PrefixReplace><ResourcesPrefix>a/</ResourcesPrefix><NewObjectMetadata><UserMetadata><member><Key>k</Key><Value>v</Value></member></UserMetadata></NewObjectMetadata><AccessControlGrants><COSGrant><Grantee><Identifier>u</Identifier><TypeIdentifier>ID</TypeIdentifier></Grantee><Permission>READ</Permission></COSGrant></AccessControlGrants><ModifiedSinceConstraint>1576778429</ModifiedSinceConstraint></COSPutObjectCopy></Operation>",
  ),
];

const NAMES = [
  "CreateJobRequest",
  "ClientRequestToken",
  "ConfirmationRequired",
  "Description",
  "Manifest",
  "Location",
  "ETag",
  "ObjectArn",
  "ObjectVersionId",
  "Spec",
  "Fields",
  "member",
  "Format",
  "Operation",
  "COSPutObjectCopy",
  "COSInitiateRestoreObject",
  "COSPutObjectTagging",
  "COSDeleteObject",
  "COSDeleteObjectTagging",
  "COSPutObjectAcl",
  "TargetResource",
  "TagSet",
  "COSTag",
  "Key",
  "Value",
  "ExpirationInDays",
  "JobTier",
  "Priority",
  "Report",
  "Bucket",
  "Enabled",
  "Prefix",
  "ReportScope",
  "RoleArn",
  "UserMetadata",
  "NewObjectMetadata",
  "AccessControlGrants",
  "COSGrant",
  "Grantee",
  "Identifier",
  "TypeIdentifier",
  "Permission",
  "PrefixReplace",
  "__proto__",
  "constructor",
  "toString",
];
const FRAGMENTS = [
  "<",
  ">",
  "</",
  "/>",
  "&",
  "&amp;",
  "&lt;",
  "&#0;",
  "&#x10FFFF;",
  "&#xD800;",
  "&lol;",
  "<![CDATA[",
  "]]>",
  "<!--",
  "-->",
  "<!DOCTYPE x>",
  '<!ENTITY a "b">',
  '<?xml version="1.0"?>',
  "<?pi x?>",
  '"',
  "'",
  "=",
  ' xmlns="x"',
  "\u0000",
  "\uD800",
  "\uFFFF",
  "\r",
  "\n",
  "\t",
  "é",
  "\u{1F600}",
  "true",
  "false",
  "-1",
  "10.5",
  "2147483648",
  "0x10",
  "1e3",
  "Bulk",
  "Replaced",
  "Add",
  "qcs::cos:ap-chengdu::b-1250000000",
  "arn:aws:s3:::b",
  "/",
  "..",
  "%",
  "%00",
];

const fragment = xmlFragment(NAMES, FRAGMENTS, { graphemes: true });
const mutation = xmlMutation(NAMES, fragment, 80);

function outcome(body: string | Uint8Array): "spec" | "domain-error" {
  try {
    const spec: JobSpec = parseCosCreateJobRequest(body, "1250000000");
    assert.equal(spec.dialect, "cos");
    assert.equal(spec.accountId, "1250000000");
    assert.ok(Number.isInteger(spec.priority) && spec.priority >= 0 && spec.priority <= 2147483647);
    // Anything accepted must also render.
    renderDescribeJobResult({
      ...spec,
      jobId: "j",
      status: "New",
      creationTime: new Date(0),
      failureReasons: [],
      progress: { total: -1, succeeded: 0, failed: 0, elapsedActiveSeconds: 0 },
    });
    return "spec";
  } catch (e) {
    if (isDomainError(e)) return "domain-error";
    throw e;
  }
}

describe("COS CreateJob parser under mutation", () => {
  it("returns a JobSpec or throws a DomainError for mutated valid bodies", () => {
    const seen = { spec: 0, "domain-error": 0 };
    fc.assert(
      fc.property(mutatedBody(VALID_BODIES, mutation, 6), (body) => {
        seen[outcome(body)]++;
      }),
      { numRuns: 6000 },
    );
    // The generator must exercise both outcomes, or the property says little.
    assert.ok(seen.spec > 50, `too few accepted bodies: ${seen.spec}`);
    assert.ok(seen["domain-error"] > 1000, `too few rejected bodies: ${seen["domain-error"]}`);
  });

  it("returns a JobSpec or throws a DomainError for arbitrary bytes and strings", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ unit: "binary", maxLength: 300 })),
        (body) => {
          outcome(body);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("returns a JobSpec or throws a DomainError for random element trees", () => {
    const node = xmlElementTree(NAMES, fragment, 5);
    fc.assert(
      fc.property(fc.array(node, { maxLength: 8 }), (kids) => {
        outcome(`<CreateJobRequest>${kids.join("")}</CreateJobRequest>`);
      }),
      { numRuns: 3000 },
    );
  });

  it("reads back any description exactly as the client escaped it, and renders it back the same", () => {
    const unrepresentable =
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters XML cannot carry
      /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
    const text = fc.oneof(fc.string({ unit: "grapheme", maxLength: 60 }), fc.string({ unit: "binary", maxLength: 60 }));
    fc.assert(
      fc.property(text, (value) => {
        const escaped = escapeXmlText(value);
        const body = SEED_CREATE_JOB_BODY.replace(
          "<Description>example-job</Description>",
          // A function, not a string: `$&` in the escaped text must not be a replacement pattern.
          () => `<Description>${escaped}</Description>`,
        );
        // The escaper turns what XML cannot carry into U+FFFD and protects \r; values lose XML whitespace at
        // their ends (not other Unicode spaces).
        const expected = value.replace(unrepresentable, "\uFFFD").replace(/^[ \t\n]+|[ \t\n]+$/g, "");
        if (Buffer.byteLength(expected) > 256) {
          assert.throws(() => parseCosCreateJobRequest(body, "1250000000"), isDomainError);
          return;
        }
        const spec = parseCosCreateJobRequest(body, "1250000000");
        assert.equal(spec.description, expected);
        const rendered = renderDescribeJobResult({
          ...spec,
          jobId: "j",
          status: "New",
          creationTime: new Date(0),
          failureReasons: [],
          progress: { total: 0, succeeded: 0, failed: 0, elapsedActiveSeconds: 0 },
        });
        const job = parseXmlDocument(rendered).children[0]!;
        assert.equal(job.children.find((c) => c.name === "Description")!.text, expected);
      }),
      { numRuns: 3000 },
    );
  });
});
