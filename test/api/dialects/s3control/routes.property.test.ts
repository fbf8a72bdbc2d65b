/**
 * Property tests at the real route: thousands of mutated S3 Control CreateJob bodies (and random ListJobs
 * parameters and PutJobTagging bodies) are sent, SigV4-signed by @smithy/signature-v4, over real HTTP to a
 * running objbatch. Whatever arrives, the answer is a 200 with a CreateJobResult or an S3 Control
 * `<ErrorResponse>` with a 4xx status, never a 5xx, and the server keeps answering. A job that was accepted must
 * also describe and list: rendering what was stored cannot fail either.
 *
 * The codec itself is also run directly on many more inputs: it returns a JobSpec or throws a DomainError,
 * never anything else.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { XMLParser } from "fast-xml-parser";
import { parseS3ControlCreateJobRequest } from "../../../../src/api/dialects/s3control/create-job-request.js";
import { renderDescribeJobResult } from "../../../../src/api/dialects/s3control/responses.js";
import { isDomainError } from "../../../../src/domain/errors.js";
import { startTestApp, type TestApp } from "../../../helpers/app.js";
import { signedCall } from "../../../helpers/s3control-client.js";
import {
  checkCreateJobRouteUnderMutation,
  mutatedBody,
  noiseCreateJobBody,
  type RouteOutcome,
  xmlElementTree,
  xmlFragment,
  xmlMutation,
} from "../../../helpers/xml-mutations.js";

const NS = ' xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/"';
const MANIFEST =
  "<Manifest><Spec><Format>S3BatchOperations_CSV_20180820</Format><Fields><member>Bucket</member><member>Key</member></Fields></Spec>" +
  "<Location><ObjectArn>arn:aws:s3:::src/m.csv</ObjectArn><ETag>e</ETag></Location></Manifest>";
const GENERATOR =
  "<ManifestGenerator><S3JobManifestGenerator><SourceBucket>arn:aws:s3:::src</SourceBucket><EnableManifestOutput>false</EnableManifestOutput>" +
  "<Filter><CreatedAfter>2024-01-01T00:00:00Z</CreatedAfter><KeyNameConstraint><MatchAnyPrefix><member>a/</member></MatchAnyPrefix></KeyNameConstraint>" +
  "<ObjectSizeGreaterThanBytes>5</ObjectSizeGreaterThanBytes><MatchAnyStorageClass><member>STANDARD</member></MatchAnyStorageClass>" +
  "<MatchAnyObjectEncryption><ObjectEncryption><SSE-S3/></ObjectEncryption></MatchAnyObjectEncryption></Filter></S3JobManifestGenerator></ManifestGenerator>";

function body(operation: string, manifest = MANIFEST, more = ""): string {
  return (
    `<CreateJobRequest${NS}><ConfirmationRequired>true</ConfirmationRequired><Operation>${operation}</Operation>` +
    "<Report><Bucket>arn:aws:s3:::reports</Bucket><Format>Report_CSV_20180820</Format><Enabled>true</Enabled><Prefix>p</Prefix><ReportScope>AllTasks</ReportScope></Report>" +
    `<ClientRequestToken>p</ClientRequestToken>${manifest}<Description>d</Description><Priority>10</Priority>` +
    `<RoleArn>arn:aws:iam::123456789012:role/r</RoleArn>${more}</CreateJobRequest>`
  );
}

const VALID_BODIES = [
  body(
    "<S3PutObjectCopy><TargetResource>arn:aws:s3:::dst</TargetResource><MetadataDirective>REPLACE</MetadataDirective>" +
      "<NewObjectMetadata><ContentType>text/plain</ContentType><UserMetadata><entry><key>k</key><value>v</value></entry></UserMetadata></NewObjectMetadata>" +
      "<AccessControlGrants><member><Grantee><TypeIdentifier>id</TypeIdentifier><Identifier>u</Identifier></Grantee><Permission>READ</Permission></member></AccessControlGrants>" +
      "<ModifiedSinceConstraint>2024-01-01T00:00:00Z</ModifiedSinceConstraint><TargetKeyPrefix>f</TargetKeyPrefix></S3PutObjectCopy>",
  ),
  body(
    "<S3PutObjectTagging><TagSet><member><Key>a</Key><Value>b</Value></member></TagSet></S3PutObjectTagging>",
    MANIFEST,
    "<Tags><member><Key>t</Key><Value>v</Value></member></Tags>",
  ),
  body(
    "<S3InitiateRestoreObject><ExpirationInDays>1</ExpirationInDays><GlacierJobTier>BULK</GlacierJobTier></S3InitiateRestoreObject>",
    GENERATOR,
  ),
  body(
    "<S3PutObjectRetention><Retention><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate><Mode>COMPLIANCE</Mode></Retention></S3PutObjectRetention>",
  ),
  body(
    "<LambdaInvoke><FunctionArn>arn:aws:lambda:us-east-1:123456789012:function:f</FunctionArn><InvocationSchemaVersion>2.0</InvocationSchemaVersion>" +
      "<UserArguments><entry><key>a</key><value>b</value></entry></UserArguments></LambdaInvoke>",
  ),
  body(
    "<S3PutObjectAcl><AccessControlPolicy><AccessControlList><Owner><ID>o</ID></Owner><Grants><member><Grantee><TypeIdentifier>uri</TypeIdentifier>" +
      "<Identifier>http://x</Identifier></Grantee><Permission>READ</Permission></member></Grants></AccessControlList></AccessControlPolicy></S3PutObjectAcl>",
  ),
  body("<S3PutObjectLegalHold><LegalHold><Status>ON</Status></LegalHold></S3PutObjectLegalHold>"),
  body("<S3ComputeObjectChecksum><ChecksumAlgorithm>CRC32</ChecksumAlgorithm></S3ComputeObjectChecksum>"),
  body("<S3DeleteObject/>"),
];

const NAMES = [
  "CreateJobRequest",
  "ConfirmationRequired",
  "Operation",
  "Report",
  "Bucket",
  "Format",
  "Enabled",
  "Prefix",
  "ReportScope",
  "ClientRequestToken",
  "Manifest",
  "Spec",
  "Fields",
  "member",
  "Location",
  "ObjectArn",
  "ETag",
  "ObjectVersionId",
  "Description",
  "Priority",
  "RoleArn",
  "Tags",
  "Key",
  "Value",
  "ManifestGenerator",
  "S3JobManifestGenerator",
  "SourceBucket",
  "EnableManifestOutput",
  "Filter",
  "CreatedAfter",
  "KeyNameConstraint",
  "MatchAnyPrefix",
  "MatchAnyObjectEncryption",
  "ObjectEncryption",
  "SSE-S3",
  "SSE-KMS",
  "S3PutObjectCopy",
  "S3PutObjectTagging",
  "S3DeleteObjectTagging",
  "S3PutObjectAcl",
  "S3InitiateRestoreObject",
  "S3PutObjectLegalHold",
  "S3PutObjectRetention",
  "S3ComputeObjectChecksum",
  "S3ReplicateObject",
  "S3DeleteObject",
  "LambdaInvoke",
  "TargetResource",
  "TagSet",
  "UserMetadata",
  "UserArguments",
  "entry",
  "key",
  "value",
  "NewObjectMetadata",
  "AccessControlGrants",
  "Grantee",
  "TypeIdentifier",
  "Identifier",
  "Permission",
  "Retention",
  "Mode",
  "RetainUntilDate",
  "__proto__",
  "constructor",
];
const FRAGMENTS = [
  "<",
  ">",
  "</",
  "/>",
  "&",
  "&amp;",
  "&#0;",
  "&#x10FFFF;",
  "&lol;",
  "<![CDATA[",
  "]]>",
  "<!--",
  "-->",
  "<!DOCTYPE x>",
  '<!ENTITY a "b">',
  '<?xml version="1.0"?>',
  '"',
  "=",
  "\u0000",
  "\uD800",
  "\r",
  "\n",
  "é",
  "\u{1F600}",
  "true",
  "false",
  "-1",
  "1e3",
  "2147483648",
  "99999999999999999999",
  "BULK",
  "REPLACE",
  "2024-02-30T00:00:00Z",
  "arn:aws:s3:::b",
  "arn:aws:s3express:us-east-1:1:bucket/x--az1--x-s3",
  "qcs::cos:ap-chengdu::b-1250000000",
  "/",
  "..",
  "%00",
];

const fragment = xmlFragment(NAMES, FRAGMENTS);
const mutation = xmlMutation(NAMES, fragment, 120);

const parser = new XMLParser({ parseTagValue: false, ignoreDeclaration: true, isArray: (n) => n === "member" });

let app: TestApp;
let counter = 0;

before(async () => {
  app = await startTestApp({ runEngine: false, configFile: { maxBodyBytes: 16 * 1024, maxUnfinishedJobs: 1_000_000 } });
});
after(() => app.dispose());

type Outcome = RouteOutcome;

function assertS3ControlError(status: number, headers: Record<string, unknown>, text: string): void {
  assert.ok(status >= 400 && status < 500, `status ${status}: ${text}`);
  const e = parser.parse(text)?.ErrorResponse;
  assert.equal(typeof e?.Error?.Code, "string", text);
  assert.equal(e.Error.Type, "Sender");
  assert.equal(e.RequestId, headers["x-amz-request-id"]);
}

/** Sends one body; asserts the answer's shape; for an accepted job, describes and lists it too. */
async function send(sent: string | Uint8Array): Promise<Outcome> {
  // A unique token keeps accepted bodies from colliding on idempotency (which would be a 400, not a crash).
  const text =
    typeof sent === "string" ? sent.replace(/<ClientRequestToken>p</, `<ClientRequestToken>p${counter++}<`) : sent;
  const r = await signedCall(app.url, { method: "POST", path: "/v20180820/jobs", body: Buffer.from(text) });
  assert.ok(
    r.status < 500,
    `status ${r.status} for body ${JSON.stringify(typeof text === "string" ? text : [...text])}: ${r.text}`,
  );
  assert.ok(r.headers["x-amz-request-id"], "every answer carries x-amz-request-id");
  if (r.status !== 200) {
    assertS3ControlError(r.status, r.headers, r.text);
    return "rejected";
  }
  const jobId = parser.parse(r.text)?.CreateJobResult?.JobId;
  assert.ok(typeof jobId === "string" && jobId !== "", r.text);
  const d = await signedCall(app.url, { path: `/v20180820/jobs/${jobId}` });
  assert.equal(d.status, 200, d.text);
  assert.equal(parser.parse(d.text).DescribeJobResult.Job.JobId, jobId);
  return "created";
}

describe("S3 Control CreateJob route under mutation", () => {
  it("answers mutated valid bodies with a job or an S3 Control 4xx error, never a 5xx", async () => {
    await checkCreateJobRouteUnderMutation(mutatedBody(VALID_BODIES, mutation, 5), send);
  });

  it("answers arbitrary bytes and random element trees with S3 Control 4xx errors", async () => {
    const node = xmlElementTree(NAMES, fragment, 4);
    await fc.assert(
      fc.asyncProperty(noiseCreateJobBody(node), async (b) => {
        await send(b);
      }),
      { numRuns: 500 },
    );
  });

  it("answers random ListJobs parameters and PutJobTagging bodies with a 200 or an S3 Control 4xx error", async () => {
    const value = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.string({ unit: "binary", maxLength: 30 }),
      fc.constantFrom("0", "1", "1000", "1001", "-1", "Active,Complete", "New,,", "x".repeat(1100)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({ jobStatuses: value, maxResults: value, nextToken: value }, { requiredKeys: [] }),
        async (query) => {
          const r = await signedCall(app.url, { path: "/v20180820/jobs", query });
          if (r.status !== 200) assertS3ControlError(r.status, r.headers, r.text);
        },
      ),
      { numRuns: 400 },
    );
    const created = await send(VALID_BODIES[1]!);
    assert.equal(created, "created");
    const list = await signedCall(app.url, { path: "/v20180820/jobs", query: { maxResults: "1" } });
    const jobId = parser.parse(list.text).ListJobsResult.Jobs.member[0].JobId;
    const tagging =
      "<PutJobTaggingRequest><Tags><member><Key>a</Key><Value>b</Value></member><member><Key>c</Key><Value>d</Value></member></Tags></PutJobTaggingRequest>";
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (ms) => {
        const r = await signedCall(app.url, {
          method: "PUT",
          path: `/v20180820/jobs/${jobId}/tagging`,
          body: ms.reduce((s, m) => m(s), tagging),
        });
        if (r.status !== 200) assertS3ControlError(r.status, r.headers, r.text);
      }),
      { numRuns: 400 },
    );
  });

  it("still answers after all that", async () => {
    const health = await fetch(`${app.url}/healthz`);
    assert.equal(health.status, 200);
    const list = await signedCall(app.url, { path: "/v20180820/jobs", query: { maxResults: "1" } });
    assert.equal(list.status, 200, list.text);
  });
});

describe("S3 Control CreateJob codec under mutation", () => {
  it("returns a JobSpec that renders, or throws a DomainError, for mutated bodies", () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.constantFrom(...VALID_BODIES), fc.array(mutation, { minLength: 1, maxLength: 6 }), (b, ms) => {
        try {
          const spec = parseS3ControlCreateJobRequest(
            ms.reduce((s, m) => m(s), b),
            "123456789012",
          );
          renderDescribeJobResult(
            {
              ...spec,
              jobId: "j",
              status: "New",
              creationTime: new Date(0),
              failureReasons: [],
              progress: { total: -1, succeeded: 0, failed: 0, elapsedActiveSeconds: 0 },
            },
            "us-east-1",
          );
          accepted++;
        } catch (e) {
          if (!isDomainError(e)) throw e;
        }
      }),
      { numRuns: 6000 },
    );
    assert.ok(accepted > 200, `too few accepted bodies: ${accepted}`);
  });
});
