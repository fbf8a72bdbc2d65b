/**
 * The OSS codec element by element: CreateJob bodies -> canonical JobSpec, query parameters, response bodies
 * (for OSS jobs and for jobs created through COS and S3 Control), and the OSS error body. Answers are read back
 * with fast-xml-parser, independent of objbatch's XML reader.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseOssCreateJobRequest } from "../../src/api/dialects/oss/create-job-request.js";
import { newOssRequestId, OssCodedError, ossErrorFor, renderOssError } from "../../src/api/dialects/oss/errors.js";
import {
  optionalJobId,
  parseListJobsQuery,
  parseStatusQuery,
  parseTargetPriority,
  requiredJobId,
  subResourceOf,
} from "../../src/api/dialects/oss/query-params.js";
import {
  renderDescribeJobResult,
  renderListJobsResult,
  renderUpdateJobPriorityResult,
  renderUpdateJobStatusResult,
} from "../../src/api/dialects/oss/responses.js";
import { DomainError } from "../../src/domain/errors.js";
import type { Job, JobSpec, Operation } from "../../src/domain/job.js";
import { ossCreateJobBody, parseXml } from "../helpers/oss-client.js";
import { copySpec } from "../helpers/specs.js";
import { assertDomainError } from "./assert-domain-error.js";

const ACCOUNT = "1250000000";
const parse = (body: string) => parseOssCreateJobRequest(body, ACCOUNT);
const withOperation = (operation: string) => parse(ossCreateJobBody({ operation }));
const q = (pairs: Record<string, string>) => Object.entries(pairs).map(([name, value]) => ({ name, value }));

function asJob(spec: JobSpec, extra: Partial<Job> = {}): Job {
  return {
    ...spec,
    jobId: "MzRjZGU2NGQ3YTY5NGRhMTkxZmZhYzY5OTM5YTcxYWU=",
    status: "Complete",
    creationTime: new Date(1749983400_000),
    terminationDate: new Date(1749987000_500),
    failureReasons: [],
    progress: { total: 1000, succeeded: 998, failed: 2, elapsedActiveSeconds: 3600 },
    ...extra,
  };
}

describe("OSS CreateJob: the document as a whole", () => {
  it("reads the body the official Go SDK sends", () => {
    const spec = parse(ossCreateJobBody());
    assert.deepEqual(spec, {
      accountId: ACCOUNT,
      dialect: "oss",
      clientRequestToken: "unique-token-123",
      confirmationRequired: false,
      description: "批量设置对象标签任务",
      priority: 10,
      roleArn: "acs:ram::1234567890:role/oss-sdk-batch-test",
      operation: { kind: "PutObjectTagging", tagSet: [{ key: "key1", value: "value1" }] },
      manifest: {
        format: "OSS_BatchOperations_CSV_20250611",
        fields: ["Bucket", "Key"],
        location: {
          bucket: { arn: "manifest-bucket", bucket: "manifest-bucket" },
          key: "manifest.csv",
          etag: "d41d8cd98f00b204e9800998ecf8427e",
        },
      },
      report: {
        enabled: true,
        bucket: { arn: "report-bucket", bucket: "report-bucket" },
        prefix: "batch-reports/",
        scope: "AllTasks",
      },
    } satisfies JobSpec);
  });

  it("makes up a ClientRequestToken when none is sent, a different one each time", () => {
    const a = parse(ossCreateJobBody({ token: null }));
    const b = parse(ossCreateJobBody({ token: null }));
    assert.match(a.clientRequestToken, /^[0-9a-f-]{36}$/);
    assert.notEqual(a.clientRequestToken, b.clientRequestToken);
    assertDomainError(
      () => parse(ossCreateJobBody({ token: "t".repeat(65) })),
      "InvalidArgument",
      /ClientRequestToken/,
    );
  });

  it("reads ConfirmationRequired, defaulting to false", () => {
    assert.equal(parse(ossCreateJobBody({ confirmationRequired: true })).confirmationRequired, true);
    assertDomainError(
      () =>
        parse(ossCreateJobBody().replace("<Priority>", "<ConfirmationRequired>yes</ConfirmationRequired><Priority>")),
      "InvalidArgument",
      /ConfirmationRequired must be true or false/,
    );
  });

  it("checks Priority, Description and RoleArn", () => {
    for (const bad of ["-1", "2147483648", "1.5", "ten", ""]) {
      assertDomainError(
        () => parse(ossCreateJobBody().replace("<Priority>10<", `<Priority>${bad}<`)),
        "InvalidArgument",
        /Priority/,
      );
    }
    assert.equal(parse(ossCreateJobBody({ priority: 2147483647 })).priority, 2147483647);
    // 256 characters, even of three UTF-8 bytes each, are allowed; 257 are not.
    assert.equal(parse(ossCreateJobBody({ description: "标".repeat(256) })).description, "标".repeat(256));
    assertDomainError(() => parse(ossCreateJobBody({ description: "x".repeat(257) })), "InvalidArgument");
    let thrown: unknown;
    try {
      parse(ossCreateJobBody().replace(/<RoleArn>[^<]*</, "<RoleArn><"));
    } catch (e) {
      thrown = e;
    }
    assert.ok(thrown instanceof OssCodedError, String(thrown));
    assert.equal(thrown.ec, "0017-00001009");
    assertDomainError(() => parse(ossCreateJobBody().replace(/<RoleArn>[^<]*<\/RoleArn>/, "")), "InvalidArgument");
  });

  it("rejects bodies that are not one well-formed CreateJobRequest", () => {
    assertDomainError(() => parseOssCreateJobRequest(undefined, ACCOUNT), "MalformedXML", /empty/);
    assertDomainError(() => parse(""), "MalformedXML");
    assertDomainError(() => parse("<CreateJobRequest>"), "MalformedXML");
    assertDomainError(() => parse("<CreateJob/>"), "MalformedXML", /root element must be CreateJobRequest/);
    assertDomainError(
      () => parse(`<!DOCTYPE x [<!ENTITY a "${"b".repeat(10)}">]>${ossCreateJobBody().replace(/^<\?xml[^>]*>/, "")}`),
      "MalformedXML",
      /DOCTYPE/,
    );
    assertDomainError(
      () => parse(ossCreateJobBody().replace("<Priority>", "<Priorty>1</Priorty><Priority>")),
      "MalformedXML",
      /Priorty/,
    );
    assertDomainError(
      () =>
        parse(ossCreateJobBody().replace("<Priority>10</Priority>", "<Priority>10</Priority><Priority>11</Priority>")),
      "MalformedXML",
      /more than once/,
    );
    assertDomainError(
      () => parse(ossCreateJobBody().replace(/<Operation>.*<\/Operation>/, "")),
      "MalformedXML",
      /Operation/,
    );
    assertDomainError(() => parse(ossCreateJobBody().replace(/<Report>.*<\/Report>/, "")), "MalformedXML", /Report/);
  });
});

describe("OSS CreateJob: Manifest and KeyPrefixManifestGenerator", () => {
  it("reads Location with a VersionId and Fields with spaces around the commas", () => {
    const spec = parse(
      ossCreateJobBody({
        manifest:
          "<Manifest><Location><Bucket>acs:oss:cn-hangzhou:1234567890:manifest-bucket</Bucket><Object>dir/m f.csv</Object><VersionId>3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY</VersionId></Location><Spec><Fields>Bucket, Key ,VersionId</Fields><Format>OSS_BatchOperations_CSV_20250611</Format></Spec></Manifest>",
      }),
    );
    assert.deepEqual(spec.manifest, {
      format: "OSS_BatchOperations_CSV_20250611",
      fields: ["Bucket", "Key", "VersionId"],
      location: {
        bucket: { arn: "acs:oss:cn-hangzhou:1234567890:manifest-bucket", bucket: "manifest-bucket" },
        key: "dir/m f.csv",
        versionId: "3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY",
      },
    });
  });

  it("accepts an inventory manifest without Fields", () => {
    const spec = parse(
      ossCreateJobBody({
        manifest:
          "<Manifest><Location><Bucket>inv</Bucket><Object>a/manifest.json</Object></Location><Spec><Format>OSS_InventoryReport_CSV_20250611</Format></Spec></Manifest>",
      }),
    );
    assert.equal(spec.manifest?.format, "OSS_InventoryReport_CSV_20250611");
    assert.deepEqual(spec.manifest?.fields, []);
  });

  it("rejects bad Fields, formats, buckets and objects", () => {
    const manifest = (location: string, spec: string) =>
      parse(
        ossCreateJobBody({ manifest: `<Manifest><Location>${location}</Location><Spec>${spec}</Spec></Manifest>` }),
      );
    const loc = "<Bucket>b-1</Bucket><Object>m.csv</Object>";
    const csv = "<Format>OSS_BatchOperations_CSV_20250611</Format>";
    assertDomainError(() => manifest(loc, `<Fields>Bucket</Fields>${csv}`), "InvalidArgument", /Bucket and Key/);
    assertDomainError(() => manifest(loc, `<Fields>Bucket,Key,Size</Fields>${csv}`), "InvalidArgument", /"Size"/);
    assertDomainError(() => manifest(loc, csv), "InvalidArgument", /Fields/);
    assertDomainError(
      () => manifest(loc, `<Fields><member>Bucket</member></Fields>${csv}`),
      "MalformedXML",
      /must hold a value/,
    );
    assertDomainError(
      () => manifest(loc, "<Fields>Bucket,Key</Fields><Format>COSBatchOperations_CSV_V1</Format>"),
      "InvalidArgument",
      /Format/,
    );
    assertDomainError(
      () => manifest("<Bucket>B!</Bucket><Object>m.csv</Object>", `<Fields>Bucket,Key</Fields>${csv}`),
      "InvalidArgument",
      /bucket/,
    );
    assertDomainError(
      () => manifest("<Bucket>b-1</Bucket>", `<Fields>Bucket,Key</Fields>${csv}`),
      "InvalidArgument",
      /Object/,
    );
    assertDomainError(
      () => manifest(`<Bucket>b-1</Bucket><Object>${"k".repeat(1024)}</Object>`, `<Fields>Bucket,Key</Fields>${csv}`),
      "InvalidArgument",
      /Object/,
    );
    assertDomainError(
      () => manifest("<Bucket>b-1</Bucket><Object>m</Object><ObjectArn>x</ObjectArn>", csv),
      "MalformedXML",
    );
  });

  it("maps KeyPrefixManifestGenerator to the canonical generator", () => {
    const spec = parse(
      ossCreateJobBody({
        manifest:
          "<KeyPrefixManifestGenerator><SourceBucket>bucket</SourceBucket><Prefix>batch-manifests/</Prefix></KeyPrefixManifestGenerator>",
      }),
    );
    assert.equal(spec.manifest, undefined);
    assert.deepEqual(spec.manifestGenerator, {
      kind: "KeyPrefixManifestGenerator",
      sourceBucket: { arn: "bucket", bucket: "bucket" },
      enableManifestOutput: false,
      prefix: "batch-manifests/",
    });
    const whole = parse(
      ossCreateJobBody({
        manifest: "<KeyPrefixManifestGenerator><SourceBucket>bucket</SourceBucket></KeyPrefixManifestGenerator>",
      }),
    );
    assert.equal(whole.manifestGenerator?.prefix, undefined);
  });

  it("needs exactly one of Manifest and KeyPrefixManifestGenerator", () => {
    assertDomainError(() => parse(ossCreateJobBody({ manifest: "" })), "MalformedXML", /neither/);
    const both = ossCreateJobBody().replace(
      "<Description>",
      "<KeyPrefixManifestGenerator><SourceBucket>bucket</SourceBucket></KeyPrefixManifestGenerator><Description>",
    );
    assertDomainError(() => parse(both), "MalformedXML", /both/);
    assertDomainError(
      () =>
        parse(
          ossCreateJobBody({ manifest: "<KeyPrefixManifestGenerator><Prefix>p</Prefix></KeyPrefixManifestGenerator>" }),
        ),
      "InvalidArgument",
      /SourceBucket/,
    );
  });
});

describe("OSS CreateJob: Operation", () => {
  it("reads each OSS operation and the DeleteObject extension", () => {
    const cases: [string, Operation][] = [
      [
        "<AddObjectTagging><TagSet><Tag><Key>a</Key><Value></Value></Tag><Tag><Key>b</Key><Value>2</Value></Tag></TagSet></AddObjectTagging>",
        {
          kind: "AddObjectTagging",
          tagSet: [
            { key: "a", value: "" },
            { key: "b", value: "2" },
          ],
        },
      ],
      ["<PutObjectTagging><TagSet></TagSet></PutObjectTagging>", { kind: "PutObjectTagging", tagSet: [] }],
      ["<DeleteObjectTagging></DeleteObjectTagging>", { kind: "DeleteObjectTagging" }],
      ["<DeleteObjectTagging/>", { kind: "DeleteObjectTagging" }],
      ["<DeleteObject/>", { kind: "DeleteObject" }],
      [
        "<PutObjectAcl><ObjectAcl>public-read</ObjectAcl></PutObjectAcl>",
        { kind: "PutObjectAcl", acl: { canned: "public-read" } },
      ],
      [
        "<RestoreObject><Days>7</Days><Tier>Standard</Tier></RestoreObject>",
        { kind: "InitiateRestoreObject", expirationInDays: 7, tier: "Standard" },
      ],
      ["<RestoreObject></RestoreObject>", { kind: "InitiateRestoreObject" }],
    ];
    for (const [xml, expected] of cases) assert.deepEqual(withOperation(xml).operation, expected, xml);
  });

  it("rejects unknown, missing, doubled and malformed operations", () => {
    assertDomainError(() => withOperation(""), "MalformedXML", /none/);
    assertDomainError(
      () => withOperation("<DeleteObject/><DeleteObjectTagging/>"),
      "MalformedXML",
      /DeleteObject, DeleteObjectTagging/,
    );
    assertDomainError(() => withOperation("<PutObjectCopy/>"), "MalformedXML", /Unknown operation/);
    assertDomainError(() => withOperation("<COSDeleteObject/>"), "MalformedXML", /Unknown operation/);
    assertDomainError(() => withOperation("<DeleteObject>now</DeleteObject>"), "MalformedXML", /text/);
    assertDomainError(
      () => withOperation("<AddObjectTagging><TagSet/></AddObjectTagging>"),
      "InvalidArgument",
      /at least 1/,
    );
    assertDomainError(() => withOperation("<PutObjectTagging/>"), "InvalidArgument", /TagSet/);
    const eleven = Array.from({ length: 11 }, (_, i) => `<Tag><Key>k${i}</Key><Value>v</Value></Tag>`).join("");
    assertDomainError(
      () => withOperation(`<PutObjectTagging><TagSet>${eleven}</TagSet></PutObjectTagging>`),
      "InvalidArgument",
      /at most 10/,
    );
    assertDomainError(
      () =>
        withOperation(
          "<PutObjectTagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value>2</Value></Tag></TagSet></PutObjectTagging>",
        ),
      "InvalidArgument",
      /more than once/,
    );
    assertDomainError(
      () =>
        withOperation(
          "<PutObjectTagging><TagSet><Tag><Key>a&#10;b</Key><Value>1</Value></Tag></TagSet></PutObjectTagging>",
        ),
      "InvalidArgument",
      /control characters/,
    );
    assertDomainError(
      () =>
        withOperation(
          `<PutObjectTagging><TagSet><Tag><Key>${"k".repeat(129)}</Key><Value>1</Value></Tag></TagSet></PutObjectTagging>`,
        ),
      "InvalidArgument",
      /Key/,
    );
    assertDomainError(
      () => withOperation("<PutObjectAcl><ObjectAcl>everyone</ObjectAcl></PutObjectAcl>"),
      "InvalidArgument",
      /ObjectAcl/,
    );
    assertDomainError(() => withOperation("<PutObjectAcl/>"), "InvalidArgument", /ObjectAcl/);
    assertDomainError(() => withOperation("<RestoreObject><Days>0</Days></RestoreObject>"), "InvalidArgument", /Days/);
    assertDomainError(
      () => withOperation("<RestoreObject><Tier>Glacier</Tier></RestoreObject>"),
      "InvalidArgument",
      /Tier/,
    );
  });
});

describe("OSS CreateJob: Report", () => {
  const withReport = (report: string) => parse(ossCreateJobBody({ report }));

  it("reads a disabled report without a bucket, and defaults the scope of an enabled one", () => {
    assert.deepEqual(withReport("<Report><Enabled>false</Enabled></Report>").report, { enabled: false });
    assert.deepEqual(withReport("<Report><Enabled>true</Enabled><Bucket>r-1</Bucket></Report>").report, {
      enabled: true,
      bucket: { arn: "r-1", bucket: "r-1" },
      scope: "AllTasks",
    });
  });

  it("rejects a Format (OSS reports have none), a missing bucket and bad values", () => {
    assertDomainError(
      () =>
        withReport("<Report><Enabled>true</Enabled><Bucket>r-1</Bucket><Format>Report_CSV_20180820</Format></Report>"),
      "MalformedXML",
      /Format/,
    );
    assertDomainError(
      () => withReport("<Report><Enabled>true</Enabled></Report>"),
      "InvalidArgument",
      /needs a bucket/,
    );
    assertDomainError(() => withReport("<Report><Enabled>1</Enabled></Report>"), "InvalidArgument", /Enabled/);
    assertDomainError(
      () => withReport("<Report><Enabled>true</Enabled><Bucket>r-1</Bucket><ReportScope>Some</ReportScope></Report>"),
      "InvalidArgument",
      /ReportScope/,
    );
  });
});

describe("OSS query parameters", () => {
  it("finds the sub-resource, refusing two of them or a value", () => {
    assert.equal(subResourceOf(q({ batchJob: "" })), "batchJob");
    assert.equal(subResourceOf(q({ batchJobStatus: "", batchJobId: "x" })), "batchJobStatus");
    assert.equal(subResourceOf(q({ acl: "" })), undefined);
    assertDomainError(() => subResourceOf(q({ batchJob: "", batchJobPriority: "" })), "InvalidArgument", /only one/);
    assertDomainError(() => subResourceOf(q({ batchJob: "1" })), "InvalidArgument", /no value/);
  });

  it("checks batchJobId with OSS's EC code", () => {
    assert.equal(optionalJobId(q({})), undefined);
    assert.equal(
      optionalJobId(q({ batchJobId: "MzRjZGU2NGQ3YTY5NGRhMTkxZmZhYzY5OTM5YTcxYWU=" })),
      "MzRjZGU2NGQ3YTY5NGRhMTkxZmZhYzY5OTM5YTcxYWU=",
    );
    assert.equal(
      requiredJobId(q({ batchJobId: "f88354dd-f8f4-42c4-a638-74321bf47296" })),
      "f88354dd-f8f4-42c4-a638-74321bf47296",
    );
    for (const bad of [
      {},
      { batchJobId: "" },
      { batchJobId: "a/b" },
      { batchJobId: "x".repeat(65) },
      { batchJobId: "é" },
    ] as Record<string, string>[]) {
      let thrown: unknown;
      try {
        requiredJobId(q(bad));
      } catch (e) {
        thrown = e;
      }
      assert.ok(thrown instanceof OssCodedError, JSON.stringify(bad));
      assert.equal(thrown.kind, "InvalidArgument");
      assert.equal(thrown.ec, "0017-00001002");
    }
  });

  it("reads ListJobs parameters as seed 001 describes them", () => {
    assert.deepEqual(parseListJobsQuery(q({ batchJob: "" })), { maxResults: 100 });
    assert.deepEqual(
      parseListJobsQuery(
        q({
          batchJobStatuses: "Active | Cancelled|Cancelling | Active",
          "max-keys": "1000",
          "continuation-token": "next-page-token-123",
        }),
      ),
      { statuses: ["Active", "Cancelled", "Cancelling"], maxResults: 1000, nextToken: "next-page-token-123" },
    );
    assert.deepEqual(parseListJobsQuery(q({ batchJobStatuses: "  ", "max-keys": "001" })), { maxResults: 1 });
    const legalToken = `Ab0+:/=?#-_${"z".repeat(1013)}`;
    assert.equal(parseListJobsQuery(q({ "continuation-token": legalToken })).nextToken, legalToken);
    assertDomainError(
      () => parseListJobsQuery(q({ batchJobStatuses: "Running" })),
      "InvalidArgument",
      /batchJobStatuses/,
    );
    assertDomainError(
      () => parseListJobsQuery(q({ batchJobStatuses: "Active||New" })),
      "InvalidArgument",
      /batchJobStatuses/,
    );
    assertDomainError(
      () => parseListJobsQuery(q({ batchJobStatuses: "Active,New" })),
      "InvalidArgument",
      /batchJobStatuses/,
    );
    for (const bad of ["0", "1001", "-1", "1.5", "ten", "", "99999"]) {
      assertDomainError(() => parseListJobsQuery(q({ "max-keys": bad })), "InvalidArgument", /max-keys/);
    }
    for (const bad of ["", "x".repeat(1025), "has space", "semi;colon", "percent%", "ü"]) {
      assertDomainError(
        () => parseListJobsQuery(q({ "continuation-token": bad })),
        "InvalidArgument",
        /continuation-token/,
      );
    }
    assertDomainError(
      () => parseListJobsQuery([...q({ "max-keys": "1" }), ...q({ "max-keys": "2" })]),
      "InvalidArgument",
      /only once/,
    );
  });

  it("reads targetPriority and the status parameters", () => {
    assert.equal(parseTargetPriority(q({ targetPriority: "0" })), 0);
    assert.equal(parseTargetPriority(q({ targetPriority: "2147483647" })), 2147483647);
    for (const bad of ["2147483648", "-1", "1e3", "", "0x10"]) {
      assertDomainError(() => parseTargetPriority(q({ targetPriority: bad })), "InvalidArgument", /targetPriority/);
    }
    assertDomainError(() => parseTargetPriority(q({})), "InvalidArgument", /required/);
    assert.deepEqual(parseStatusQuery(q({ requestedJobStatus: "Ready" })), { requested: "Ready", reason: undefined });
    assert.deepEqual(parseStatusQuery(q({ requestedJobStatus: "Cancelled", statusUpdateReason: "取".repeat(256) })), {
      requested: "Cancelled",
      reason: "取".repeat(256),
    });
    // OSS documents statusUpdateReason as 1-256 characters: an empty one is refused, not taken as absent.
    assertDomainError(
      () => parseStatusQuery(q({ requestedJobStatus: "Cancelled", statusUpdateReason: "" })),
      "InvalidArgument",
      /statusUpdateReason/,
    );
    assertDomainError(
      () => parseStatusQuery(q({ requestedJobStatus: "Paused" })),
      "InvalidArgument",
      /Ready or Cancelled/,
    );
    assertDomainError(() => parseStatusQuery(q({ requestedJobStatus: "cancelled" })), "InvalidArgument");
    assertDomainError(
      () => parseStatusQuery(q({ requestedJobStatus: "Cancelled", statusUpdateReason: "r".repeat(257) })),
      "InvalidArgument",
      /statusUpdateReason/,
    );
  });
});

describe("OSS responses", () => {
  it("describes an OSS job as the OSS document shows it", () => {
    const spec = parse(ossCreateJobBody());
    const xml = parseXml(
      renderDescribeJobResult(asJob(spec, { statusUpdateReason: "Job complete", status: "Complete" })),
    );
    const job = xml.DescribeJobResult.Job;
    assert.equal(job.CreationTime, "1749983400");
    assert.equal(job.TerminationDate, "1749987000");
    assert.equal(job.ConfirmationRequired, "false");
    assert.equal(job.Status, "Complete");
    assert.equal(job.StatusUpdateReason, "Job complete");
    assert.deepEqual(job.Manifest, {
      Location: { ETag: "d41d8cd98f00b204e9800998ecf8427e", Bucket: "manifest-bucket", Object: "manifest.csv" },
      Spec: { Fields: "Bucket,Key", Format: "OSS_BatchOperations_CSV_20250611" },
    });
    assert.deepEqual(job.Report, {
      Bucket: "report-bucket",
      Enabled: "true",
      Prefix: "batch-reports/",
      ReportScope: "AllTasks",
    });
    assert.deepEqual(job.ProgressSummary, {
      NumberOfTasksFailed: "2",
      NumberOfTasksSucceeded: "998",
      Timers: { ElapsedTimeInActiveSeconds: "3600" },
      TotalNumberOfTasks: "1000",
    });
    assert.deepEqual(job.Operation, { PutObjectTagging: { TagSet: { Tag: [{ Key: "key1", Value: "value1" }] } } });
    assert.equal(job.FailureReasons, "", "an empty FailureReasons element without failures, as the document shows");
    assert.equal(job.KeyPrefixManifestGenerator, undefined);
  });

  it("echoes a KeyPrefixManifestGenerator and lists failures", () => {
    const spec = parse(
      ossCreateJobBody({
        operation: "<RestoreObject><Days>7</Days><Tier>Bulk</Tier></RestoreObject>",
        manifest:
          "<KeyPrefixManifestGenerator><SourceBucket>source-bucket</SourceBucket><Prefix>data/</Prefix></KeyPrefixManifestGenerator>",
      }),
    );
    const job = parseXml(
      renderDescribeJobResult(
        asJob(spec, {
          status: "Failed",
          failureReasons: [{ code: "InternalError", reason: "Internal service error" }],
          progress: { total: -1, succeeded: 0, failed: 0, elapsedActiveSeconds: 0 },
        }),
      ),
    ).DescribeJobResult.Job;
    assert.deepEqual(job.KeyPrefixManifestGenerator, { SourceBucket: "source-bucket", Prefix: "data/" });
    assert.equal(job.Manifest, undefined);
    assert.deepEqual(job.FailureReasons.JobFailure, [
      { FailureCode: "InternalError", FailureReason: "Internal service error" },
    ]);
    assert.deepEqual(job.Operation, { RestoreObject: { Days: "7", Tier: "Bulk" } });
    assert.equal(job.ProgressSummary.TotalNumberOfTasks, "-1");
  });

  it("describes a COS job in OSS terms: plain bucket names, OSS's CSV word, extension operation names", () => {
    const job = parseXml(renderDescribeJobResult(asJob(copySpec()))).DescribeJobResult.Job;
    assert.deepEqual(job.Manifest.Location, { Bucket: "src-1250000000", Object: "manifests/m.csv" });
    assert.equal(job.Manifest.Spec.Format, "OSS_BatchOperations_CSV_20250611");
    assert.equal(job.Report.Bucket, "reports-1250000000");
    assert.equal(job.Report.Format, undefined);
    assert.deepEqual(job.Operation, { PutObjectCopy: { TargetBucket: "dest-1250000000" } });
    const restore = parseXml(
      renderDescribeJobResult(
        asJob(copySpec({}, { kind: "InitiateRestoreObject", expirationInDays: 3, tier: "Bulk" })),
      ),
    ).DescribeJobResult.Job;
    assert.deepEqual(restore.Operation, { RestoreObject: { Days: "3", Tier: "Bulk" } });
    const held = parseXml(renderDescribeJobResult(asJob(copySpec({}, { kind: "PutObjectLegalHold", status: "ON" }))))
      .DescribeJobResult.Job;
    assert.deepEqual(held.Operation, { PutObjectLegalHold: { Status: "ON" } });
  });

  it("lists jobs as JobListDescriptor items, NextToken first, names in OSS terms", () => {
    const oss = asJob(parse(ossCreateJobBody()));
    const cos = asJob(copySpec({}, { kind: "AddObjectTagging", tagSet: [{ key: "a", value: "b" }] }), {
      jobId: "second",
      status: "Active",
      terminationDate: undefined,
      description: undefined,
    });
    const text = renderListJobsResult([oss, cos], "next-page-token-456");
    assert.ok(
      text.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?><ListJobsResult><NextToken>next-page-token-456</NextToken><Jobs>',
      ),
    );
    const list = parseXml(text).ListJobsResult;
    assert.equal(list.Jobs.JobListDescriptor.length, 2);
    const [first, second] = list.Jobs.JobListDescriptor;
    assert.deepEqual(Object.keys(first), [
      "CreationTime",
      "Description",
      "JobId",
      "Operation",
      "Priority",
      "ProgressSummary",
      "Status",
      "TerminationDate",
    ]);
    assert.equal(first.Operation, "PutObjectTagging");
    assert.equal(second.Operation, "AddObjectTagging");
    assert.equal(second.TerminationDate, undefined);
    assert.equal(second.Description, undefined);
    assert.equal(parseXml(renderListJobsResult([], undefined)).ListJobsResult.NextToken, undefined);
  });

  it("answers the update operations", () => {
    assert.deepEqual(parseXml(renderUpdateJobPriorityResult({ jobId: "j", priority: 20 })).UpdateJobPriorityResult, {
      JobId: "j",
      Priority: "20",
    });
    assert.deepEqual(
      parseXml(
        renderUpdateJobStatusResult({
          jobId: "j",
          status: "Cancelling",
          statusUpdateReason: "User requested cancellation",
        }),
      ).UpdateJobStatusResult,
      { JobId: "j", Status: "Cancelling", StatusUpdateReason: "User requested cancellation" },
    );
  });
});

describe("OSS errors", () => {
  it("renders Code, Message, RequestId, HostId and EC", () => {
    const info = ossErrorFor(new OssCodedError("InvalidArgument", "bad id", "0017-00001002"));
    assert.deepEqual(info, { status: 400, code: "InvalidArgument", message: "bad id", ec: "0017-00001002" });
    const text = renderOssError(info, "534B371674E88A4D89060000", "oss-cn-hangzhou.aliyuncs.com");
    assert.equal(
      text,
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidArgument</Code><Message>bad id</Message><RequestId>534B371674E88A4D89060000</RequestId><HostId>oss-cn-hangzhou.aliyuncs.com</HostId><EC>0017-00001002</EC></Error>',
    );
  });

  it("maps every kind to OSS's code and status, with documented EC defaults", () => {
    assert.deepEqual(ossErrorFor(new DomainError("SignatureDoesNotMatch", "m")), {
      status: 403,
      code: "SignatureDoesNotMatch",
      message: "m",
      ec: "0002-00000040",
    });
    assert.equal(ossErrorFor(new DomainError("RequestTimeTooSkewed", "m")).ec, "0002-00000504");
    assert.equal(ossErrorFor(new DomainError("NoSuchJob", "m")).status, 404);
    assert.equal(ossErrorFor(new DomainError("MalformedXML", "m")).ec, undefined);
    assert.deepEqual(ossErrorFor(new DomainError("ExpiredToken", "x")), {
      status: 403,
      code: "AccessDenied",
      message: "Request has expired.",
    });
    assert.equal(ossErrorFor(new DomainError("MethodNotAllowed", "m")).status, 405);
    assert.match(newOssRequestId(), /^[0-9A-F]{24}$/);
  });
});
