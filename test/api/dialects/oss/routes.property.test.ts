/**
 * Property tests at the real route: thousands of mutated OSS CreateJob bodies (and random ListJobs parameters)
 * are sent, signed by ali-oss, over real HTTP to a running objbatch. Whatever arrives, the answer is a 200 with a
 * CreateJobResult or an OSS `<Error>` with a 4xx status, never a 5xx, and the server keeps answering. A job that
 * was accepted must also describe and list (rendering what was stored cannot fail either).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { startTestApp, type TestApp } from "../../../helpers/app.js";
import { ossCreateJobBody, ossRequest } from "../../../helpers/oss-client.js";
import {
  checkCreateJobRouteUnderMutation,
  mutatedBody,
  noiseCreateJobBody,
  type RouteOutcome,
  xmlElementTree,
  xmlFragment,
  xmlMutation,
} from "../../../helpers/xml-mutations.js";

const VALID_BODIES = [
  ossCreateJobBody({ token: "p" }),
  ossCreateJobBody({
    token: "p",
    operation: "<RestoreObject><Days>7</Days><Tier>Standard</Tier></RestoreObject>",
    manifest:
      "<KeyPrefixManifestGenerator><SourceBucket>bucket</SourceBucket><Prefix>data/</Prefix></KeyPrefixManifestGenerator>",
  }),
  ossCreateJobBody({
    token: "p",
    operation: "<AddObjectTagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></AddObjectTagging>",
    confirmationRequired: true,
  }),
  ossCreateJobBody({ token: "p", operation: "<PutObjectAcl><ObjectAcl>private</ObjectAcl></PutObjectAcl>" }),
  ossCreateJobBody({
    token: "p",
    operation: "<DeleteObjectTagging/>",
    manifest:
      "<Manifest><Location><Bucket>m-1</Bucket><Object>m.csv</Object><VersionId>v1</VersionId></Location><Spec><Fields>Bucket, Key, VersionId</Fields><Format>OSS_BatchOperations_CSV_20250611</Format></Spec></Manifest>",
    report: "<Report><Enabled>false</Enabled></Report>",
  }),
];

const NAMES = [
  "CreateJobRequest",
  "ClientRequestToken",
  "ConfirmationRequired",
  "Description",
  "Manifest",
  "Location",
  "ETag",
  "Bucket",
  "Object",
  "VersionId",
  "Spec",
  "Fields",
  "Format",
  "KeyPrefixManifestGenerator",
  "SourceBucket",
  "Prefix",
  "Operation",
  "PutObjectTagging",
  "AddObjectTagging",
  "DeleteObjectTagging",
  "PutObjectAcl",
  "ObjectAcl",
  "RestoreObject",
  "Days",
  "Tier",
  "DeleteObject",
  "TagSet",
  "Tag",
  "Key",
  "Value",
  "Priority",
  "Report",
  "Enabled",
  "ReportScope",
  "RoleArn",
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
  "&#xD800;",
  "&lol;",
  "<![CDATA[",
  "]]>",
  "<!--",
  "-->",
  "<!DOCTYPE x>",
  '<!ENTITY a "b">',
  '<!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]>',
  '<?xml version="1.0"?>',
  "\u0000",
  "\uD800",
  "\uFFFF",
  "\r",
  "é",
  "\u{1F600}",
  "true",
  "false",
  "-1",
  "2147483648",
  "99999999999999999999",
  "1e3",
  "Bucket,Key",
  "Bucket,,Key",
  "OSS_InventoryReport_CSV_20250611",
  "acs:oss:cn-hangzhou:123:b-1",
  "arn:aws:s3:::b",
  "..",
  "%00",
  "x".repeat(300),
  "标".repeat(300),
];

const fragment = xmlFragment(NAMES, FRAGMENTS, { graphemes: true });
const mutation = xmlMutation(NAMES, fragment, 80);

let app: TestApp;
let counter = 0;

before(async () => {
  app = await startTestApp({ runEngine: false, configFile: { maxBodyBytes: 16 * 1024, maxUnfinishedJobs: 1_000_000 } });
});
after(() => app.dispose());

type Outcome = RouteOutcome;

/** Sends one body; asserts the answer's shape; for an accepted job, describes it too. */
async function send(body: string | Uint8Array): Promise<Outcome> {
  // A unique token keeps accepted bodies from colliding on idempotency (which would be a 400, not a crash).
  const text =
    typeof body === "string" ? body.replace(/<ClientRequestToken>p</, `<ClientRequestToken>p${counter++}<`) : body;
  const r = await ossRequest(app.url, { method: "POST", subres: "batchJob", body: text });
  assert.ok(
    r.status < 500,
    `status ${r.status} for body ${JSON.stringify(typeof text === "string" ? text : [...text])}: ${r.text}`,
  );
  assert.ok(r.headers.get("x-oss-request-id"), "every answer carries x-oss-request-id");
  if (r.status === 200) {
    const jobId = r.xml?.CreateJobResult?.JobId;
    assert.ok(typeof jobId === "string" && jobId !== "", r.text);
    const d = await ossRequest(app.url, { subres: "batchJob", query: { batchJobId: jobId } });
    assert.equal(d.status, 200, d.text);
    assert.equal(d.xml.DescribeJobResult.Job.JobId, jobId);
    return "created";
  }
  assert.ok(r.status >= 400, r.text);
  assert.equal(typeof r.xml?.Error?.Code, "string", r.text);
  assert.equal(r.xml.Error.RequestId, r.headers.get("x-oss-request-id"));
  return "rejected";
}

describe("OSS CreateJob route under mutation", () => {
  it("answers mutated valid bodies with a job or an OSS 4xx error, never a 5xx", async () => {
    await checkCreateJobRouteUnderMutation(mutatedBody(VALID_BODIES, mutation, 5), send);
  });

  it("answers arbitrary bytes and random element trees with OSS 4xx errors", async () => {
    const node = xmlElementTree(NAMES, fragment, 4);
    await fc.assert(
      fc.asyncProperty(noiseCreateJobBody(node), async (body) => {
        await send(body);
      }),
      { numRuns: 600 },
    );
  });

  it("answers random ListJobs parameters with a page or an OSS 4xx error", async () => {
    const value = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.string({ unit: "binary", maxLength: 30 }),
      fc.constantFrom("0", "1", "100", "1000", "1001", "-1", "New | Active", "Active||", "x".repeat(1100)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          { batchJobStatuses: value, "max-keys": value, "continuation-token": value, batchJobId: value },
          { requiredKeys: [] },
        ),
        async (query) => {
          const r = await ossRequest(app.url, { subres: "batchJob", query });
          assert.ok(r.status < 500, `${JSON.stringify(query)}: ${r.text}`);
          if (r.status !== 200) assert.equal(typeof r.xml?.Error?.Code, "string", r.text);
        },
      ),
      { numRuns: 600 },
    );
  });

  it("still answers after all that", async () => {
    const health = await fetch(`${app.url}/healthz`);
    assert.equal(health.status, 200);
    const list = await ossRequest(app.url, { subres: "batchJob", query: { "max-keys": "1" } });
    assert.equal(list.status, 200, list.text);
  });
});
