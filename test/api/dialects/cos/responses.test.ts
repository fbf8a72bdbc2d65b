/**
 * COS response bodies (responses.ts) against the seed examples: CreateJob, DescribeJob, ListJobs and the
 * update results, element order and value types, and jobs of other dialects under COS or extension names.
 * Answers are read back with fast-xml-parser, independent of objbatch's XML reader.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { XMLParser } from "fast-xml-parser";
import { COS_OPERATION_NAMES } from "../../../../src/api/dialects/cos/operation.js";
import {
  renderCreateJobResult,
  renderDescribeJobResult,
  renderListJobsResult,
  renderUpdateJobPriorityResult,
  renderUpdateJobStatusResult,
} from "../../../../src/api/dialects/cos/responses.js";
import { parseXmlDocument, type XmlElement } from "../../../../src/api/xml/parse.js";
import type { JobSummary, Operation } from "../../../../src/domain/job.js";
import { DECL, jobFrom, parse, withOperation } from "../../fixtures/cos-requests.js";
import {
  SEED_CREATE_JOB_BODY,
  SEED_CREATE_JOB_RESULT,
  SEED_DESCRIBE_JOB_TEMPLATE,
  SEED_LIST_JOBS_RESULT,
} from "../../fixtures/cos-seeds.js";

// ---------------------------------------------------------------------------------------------------------

type Tree = { name: string; children: Tree[]; text: string };
const ordered = new XMLParser({ preserveOrder: true, parseTagValue: false, ignoreDeclaration: true, trimValues: true });

/** Parses with fast-xml-parser directly (not objbatch's parser) into a name/children/text tree. */
function tree(xml: string): Tree {
  const convert = (node: Record<string, unknown>): Tree => {
    const name = Object.keys(node).find((k) => k !== "#text" && k !== ":@")!;
    const kids = node[name] as Record<string, unknown>[];
    return {
      name,
      children: kids.filter((k) => !("#text" in k)).map(convert),
      text: kids
        .filter((k) => "#text" in k)
        .map((k) => String(k["#text"]))
        .join(""),
    };
  };
  const roots = ordered.parse(xml) as Record<string, unknown>[];
  assert.equal(roots.length, 1);
  return convert(roots[0]!);
}

/**
 * Every element of `template` appears in `actual` at the same path, and at each level the elements both have
 * come in the template's order. (`actual` may have more: optional elements the template does not show.)
 */
function assertShapedLike(actual: Tree, template: Tree, path = template.name): void {
  assert.equal(actual.name, template.name, `element name at ${path}`);
  const wanted = [...new Set(template.children.map((c) => c.name))];
  const got = [...new Set(actual.children.map((c) => c.name))].filter((n) => wanted.includes(n));
  assert.deepEqual(got, wanted, `child order at ${path}`);
  for (const name of wanted) {
    const t = template.children.filter((c) => c.name === name);
    const a = actual.children.filter((c) => c.name === name);
    assert.ok(a.length >= Math.min(t.length, 1), `${path}/${name} present`);
    for (let i = 0; i < Math.min(t.length, a.length); i++) assertShapedLike(a[i]!, t[i]!, `${path}/${name}`);
  }
}

const ELEMENT_VALUES: Record<string, RegExp> = {
  boolean: /^(true|false)$/,
  integer: /^\d+$/,
  timestamp: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/,
  string: /^.*$/,
};

/** Leaf values have the template's type (`boolean`, `integer`, `timestamp`, `string`). */
function assertTypedLike(actual: Tree, template: Tree, path = template.name): void {
  if (template.children.length === 0) {
    assert.match(actual.text, ELEMENT_VALUES[template.text]!, `${path} should be a ${template.text}`);
    return;
  }
  for (const t of template.children) {
    const a = actual.children.find((c) => c.name === t.name);
    if (a) assertTypedLike(a, t, `${path}/${t.name}`);
  }
}

const FULL_COPY = `<COSPutObjectCopy><CannedAccessControlList>private</CannedAccessControlList><MetadataDirective>Replaced</MetadataDirective><NewObjectMetadata><SSEAlgorithm>AES256</SSEAlgorithm><UserMetadata><member><Key>a</Key><Value>1</Value></member><member><Key>b</Key><Value>2</Value></member></UserMetadata></NewObjectMetadata><StorageClass>STANDARD_IA</StorageClass><TargetResource>qcs::cos:ap-chengdu:uid/1250000000:destinationbucket-1250000000</TargetResource></COSPutObjectCopy>`;

describe("COS responses", () => {
  it("renders CreateJobResult exactly as seed 003", () => {
    assert.equal(renderCreateJobResult("53dc6228-c50b-46f7-8ad7-65e7159f1aae"), DECL + SEED_CREATE_JOB_RESULT);
  });

  it("renders DescribeJobResult with every element of seed 000, in its order and types", () => {
    const spec = parse(withOperation(FULL_COPY));
    const job = jobFrom(spec, {
      status: "Failed",
      failureReasons: [{ code: "ManifestEtagMismatch", reason: "The manifest's ETag does not match." }],
      suspendedCause: "Awaiting confirmation",
      suspendedDate: new Date("2019-12-19T18:00:31Z"),
      statusUpdateReason: "Job failed",
    });
    const out = tree(renderDescribeJobResult(job));
    // The document's Job element table lists ClientRequestToken, which its example leaves out.
    const template = tree(
      SEED_DESCRIBE_JOB_TEMPLATE.replace("<Job>", "<Job>\n<ClientRequestToken>string</ClientRequestToken>"),
    );
    assertShapedLike(out, template);
    assertTypedLike(out, template);
    // No element of the seed is missing, and nothing outside the documented Job elements was added.
    const jobEl = out.children[0]!;
    assert.deepEqual(
      jobEl.children.map((c) => c.name),
      template.children[0]!.children.map((c) => c.name),
    );
  });

  it("echoes Manifest, Operation and Report as they were sent (ETag quotes included)", () => {
    const body = withOperation(FULL_COPY);
    const xml = renderDescribeJobResult(jobFrom(parse(body)));
    assert.ok(xml.includes("<ETag>&quot;15150651828fa9cdcb8356b6d1c7638b&quot;</ETag>"));
    const request = parseXmlDocument(body);
    const job = parseXmlDocument(xml).children[0]!;
    for (const name of ["Manifest", "Operation", "Report"]) {
      const sent = request.children.find((c) => c.name === name)!;
      const echoed = job.children.find((c) => c.name === name)!;
      assert.deepEqual(echoed, sent, `${name} echoed`);
    }
    const simple = renderDescribeJobResult(jobFrom(parse(SEED_CREATE_JOB_BODY)));
    for (const name of ["Manifest", "Operation", "Report"]) {
      const sent = parseXmlDocument(SEED_CREATE_JOB_BODY).children.find((c) => c.name === name)! as XmlElement;
      assert.deepEqual(
        parseXmlDocument(simple).children[0]!.children.find((c) => c.name === name),
        sent,
      );
    }
  });

  it("renders a job without failures with an empty FailureReasons and omits absent optional elements", () => {
    const spec = parse(SEED_CREATE_JOB_BODY.replace("<Description>example-job</Description>", ""));
    const job = jobFrom(spec, { status: "Active", terminationDate: undefined, statusUpdateReason: undefined });
    const xml = renderDescribeJobResult(job);
    assert.ok(xml.includes("<FailureReasons></FailureReasons>"));
    for (const absent of [
      "Description",
      "TerminationDate",
      "SuspendedDate",
      "SuspendedCause",
      "StatusUpdateReason",
      "Timers",
    ]) {
      assert.ok(!xml.includes(`<${absent}>`), `${absent} should be absent`);
    }
    assert.ok(xml.includes("<CreationTime>2019-12-19T18:00:30Z</CreationTime>"));
  });

  it("renders ListJobsResult exactly as seed 002", () => {
    const summary = (jobId: string, created: string, ended: string): JobSummary => ({
      jobId,
      description: "example-job",
      operation: { kind: "PutObjectCopy" },
      priority: 10,
      status: "Complete",
      creationTime: new Date(created),
      terminationDate: new Date(ended),
      progress: { total: 10, succeeded: 10, failed: 0, elapsedActiveSeconds: 16 },
      dialect: "cos",
    });
    const xml = renderListJobsResult(
      [
        summary("021140d8-67ca-4e89-8089-0de9a1e40943", "2019-12-19T11:05:40Z", "2019-12-19T11:05:56Z"),
        summary("066d919e-49b9-429e-b844-e17ea7b16421", "2019-12-19T11:07:05Z", "2019-12-19T11:07:21Z"),
      ],
      "066d919e-49b9-429e-b844-e17ea7b16421",
    );
    assert.equal(xml, DECL + SEED_LIST_JOBS_RESULT);
    assertShapedLike(tree(xml), tree(SEED_LIST_JOBS_RESULT));
  });

  it("renders ListJobsResult with one job, with none, and without NextToken on the last page", () => {
    const one = renderListJobsResult([{ ...jobFrom(parse(SEED_CREATE_JOB_BODY)) }], undefined);
    assert.equal(tree(one).children[0]!.children.length, 1);
    assert.ok(!one.includes("NextToken"));
    assert.equal(renderListJobsResult([], undefined), `${DECL}<ListJobsResult><Jobs></Jobs></ListJobsResult>`);
  });

  it("renders UpdateJobPriorityResult and UpdateJobStatusResult", () => {
    assert.equal(
      renderUpdateJobPriorityResult({ jobId: "j1", priority: 5 }),
      `${DECL}<UpdateJobPriorityResult><JobId>j1</JobId><Priority>5</Priority></UpdateJobPriorityResult>`,
    );
    assert.equal(
      renderUpdateJobStatusResult({ jobId: "j1", status: "Cancelling", statusUpdateReason: "no <longer> needed" }),
      `${DECL}<UpdateJobStatusResult><JobId>j1</JobId><Status>Cancelling</Status><StatusUpdateReason>no &lt;longer&gt; needed</StatusUpdateReason></UpdateJobStatusResult>`,
    );
  });

  it("renders jobs of every canonical operation, including other dialects', under COS or extension names", () => {
    const target = { arn: "arn:aws:s3:::dest", bucket: "dest" };
    const ops: Operation[] = [
      { kind: "PutObjectCopy", targetResource: target, targetKeyPrefix: "Folder1", redirectLocation: "x" },
      { kind: "DeleteObject" },
      { kind: "InitiateRestoreObject", expirationInDays: 2, tier: "Expedited" },
      { kind: "PutObjectTagging", tagSet: [{ key: "a", value: "1" }] },
      { kind: "AddObjectTagging", tagSet: [{ key: "a", value: "1" }] },
      { kind: "DeleteObjectTagging" },
      {
        kind: "PutObjectAcl",
        acl: { grants: [{ granteeType: "emailAddress", identifier: "a@b", permission: "READ" }], owner: { id: "o" } },
      },
      { kind: "PutObjectLegalHold", status: "ON" },
      { kind: "PutObjectRetention", mode: "GOVERNANCE", retainUntilDate: "2030-01-01T00:00:00.000Z" },
      { kind: "ComputeObjectChecksum", algorithm: "CRC64NVME", checksumType: "FULL_OBJECT" },
      {
        kind: "InvokeFunction",
        functionArn: "arn:aws:lambda:us-east-1:123456789012:function:f",
        invocationSchemaVersion: "2.0",
        userArguments: [{ key: "k", value: "v" }],
      },
      { kind: "ReplicateObject" },
    ];
    for (const op of ops) {
      const base = parse(SEED_CREATE_JOB_BODY);
      const job = jobFrom({
        ...base,
        dialect: "s3control",
        operation: op,
        report: { enabled: true, bucket: target, format: "Report_CSV_20180820", scope: "AllTasks" },
      });
      const out = tree(renderDescribeJobResult(job));
      const operation = out.children[0]!.children.find((c) => c.name === "Operation")!;
      assert.deepEqual(
        operation.children.map((c) => c.name),
        [COS_OPERATION_NAMES[op.kind]],
      );
      const report = out.children[0]!.children.find((c) => c.name === "Report")!;
      assert.equal(report.children.find((c) => c.name === "Format")!.text, "Report_CSV_V1");
      const listed = tree(renderListJobsResult([job], undefined));
      assert.equal(
        listed.children[0]!.children[0]!.children.find((c) => c.name === "Operation")!.text,
        COS_OPERATION_NAMES[op.kind],
      );
    }
    assert.equal(COS_OPERATION_NAMES.InvokeFunction, "COSInvokeFunction");
    assert.equal(COS_OPERATION_NAMES.AddObjectTagging, "COSPutObjectTagging");
  });

  it("renders an OSS job's manifest location as an object ARN and an uncounted total as 0", () => {
    const base = parse(SEED_CREATE_JOB_BODY);
    const job = jobFrom(
      {
        ...base,
        dialect: "oss",
        manifest: {
          format: "OSS_BatchOperations_CSV_20250611",
          fields: ["Bucket", "Key"],
          location: { bucket: { arn: "src", bucket: "src" }, key: "m.csv" },
        },
      },
      { progress: { total: -1, succeeded: 0, failed: 0, elapsedActiveSeconds: 0 } },
    );
    const xml = renderDescribeJobResult(job);
    assert.ok(xml.includes("<ObjectArn>src/m.csv</ObjectArn>"));
    assert.ok(xml.includes("<TotalNumberOfTasks>0</TotalNumberOfTasks>"));
  });
});
