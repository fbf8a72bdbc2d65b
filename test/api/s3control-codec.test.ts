/**
 * The S3 Control codec: CreateJob and PutJobTagging bodies -> canonical values, and canonical jobs ->
 * DescribeJob / ListJobs / GetJobTagging / error bodies. Every operation variant and every element of the
 * reference (sections 1.3-1.7) is parsed, rendered, and parsed again from what was rendered.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { XMLParser } from "fast-xml-parser";
import {
  parsePutJobTaggingRequest,
  parseS3ControlCreateJobRequest,
} from "../../src/api/dialects/s3control/create-job-request.js";
import { renderS3ControlError, S3ControlError, s3ControlErrorFor } from "../../src/api/dialects/s3control/errors.js";
import { renderManifestGenerator } from "../../src/api/dialects/s3control/manifest-generator.js";
import { renderS3ControlOperation } from "../../src/api/dialects/s3control/operation.js";
import {
  parseListJobsQuery,
  parsePriorityQuery,
  parseStatusQuery,
} from "../../src/api/dialects/s3control/query-params.js";
import {
  renderDescribeJobResult,
  renderGetJobTaggingResult,
  renderListJobsResult,
} from "../../src/api/dialects/s3control/responses.js";
import { toXml } from "../../src/api/xml/build.js";
import { DomainError, isDomainError } from "../../src/domain/errors.js";
import type { Job, JobSpec, Operation } from "../../src/domain/job.js";
import { copySpec } from "../helpers/specs.js";
import { assertDomainError } from "./assert-domain-error.js";

const ACCOUNT = "123456789012";
const NS = ' xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/"';
const MANIFEST =
  "<Manifest><Spec><Format>S3BatchOperations_CSV_20180820</Format><Fields><member>Bucket</member><member>Key</member></Fields></Spec>" +
  '<Location><ObjectArn>arn:aws:s3:::manifests/jobs/m.csv</ObjectArn><ObjectVersionId>v1</ObjectVersionId><ETag>"abc123"</ETag></Location></Manifest>';
const REPORT =
  "<Report><Bucket>arn:aws:s3:::reports</Bucket><Format>Report_CSV_20180820</Format><Enabled>true</Enabled>" +
  "<Prefix>batch</Prefix><ReportScope>FailedTasksOnly</ReportScope><ExpectedBucketOwner>123456789012</ExpectedBucketOwner></Report>";

function body(operation: string, extra: { manifest?: string; more?: string } = {}): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><CreateJobRequest${NS}><AccountId>x</AccountId>`.replace(
      "<AccountId>x</AccountId>",
      "",
    ) +
    `<ConfirmationRequired>true</ConfirmationRequired><Operation>${operation}</Operation>${REPORT}` +
    "<ClientRequestToken>token-1</ClientRequestToken>" +
    (extra.manifest ?? MANIFEST) +
    "<Description>a job</Description><Priority>42</Priority><RoleArn>arn:aws:iam::123456789012:role/batch</RoleArn>" +
    (extra.more ?? "") +
    "</CreateJobRequest>"
  );
}

/** One body per operation variant, with every field the variant has. */
const OPERATIONS: Record<string, string> = {
  copy:
    "<S3PutObjectCopy><TargetResource>arn:aws:s3:::dest</TargetResource><CannedAccessControlList>bucket-owner-full-control</CannedAccessControlList>" +
    "<AccessControlGrants><member><Grantee><TypeIdentifier>id</TypeIdentifier><Identifier>abc</Identifier><DisplayName>Ab</DisplayName></Grantee><Permission>READ</Permission></member>" +
    "<S3Grant><Grantee><TypeIdentifier>emailAddress</TypeIdentifier><Identifier>a@b.c</Identifier></Grantee><Permission>WRITE_ACP</Permission></S3Grant></AccessControlGrants>" +
    "<MetadataDirective>REPLACE</MetadataDirective><ModifiedSinceConstraint>2024-01-02T03:04:05.000Z</ModifiedSinceConstraint>" +
    "<NewObjectMetadata><CacheControl>no-cache</CacheControl><ContentDisposition>inline</ContentDisposition><ContentEncoding>gzip</ContentEncoding>" +
    "<ContentLanguage>en</ContentLanguage><UserMetadata><entry><key>color</key><value>blue</value></entry><entry><key>size</key><value>L</value></entry></UserMetadata>" +
    "<ContentLength>12</ContentLength><ContentMD5>md5</ContentMD5><ContentType>text/plain</ContentType><HttpExpiresDate>2030-01-01T00:00:00Z</HttpExpiresDate>" +
    "<RequesterCharged>true</RequesterCharged><SSEAlgorithm>AES256</SSEAlgorithm></NewObjectMetadata>" +
    "<NewObjectTagging><member><Key>t1</Key><Value>v1</Value></member></NewObjectTagging><RedirectLocation>/elsewhere</RedirectLocation>" +
    "<RequesterPays>false</RequesterPays><StorageClass>STANDARD_IA</StorageClass><UnModifiedSinceConstraint>2025-01-02T03:04:05.123Z</UnModifiedSinceConstraint>" +
    "<SSEAwsKmsKeyId>arn:aws:kms:us-east-1:123456789012:key/k</SSEAwsKmsKeyId><TargetKeyPrefix>Folder1</TargetKeyPrefix>" +
    "<ObjectLockLegalHoldStatus>OFF</ObjectLockLegalHoldStatus><ObjectLockMode>GOVERNANCE</ObjectLockMode>" +
    "<ObjectLockRetainUntilDate>2031-01-01T00:00:00Z</ObjectLockRetainUntilDate><BucketKeyEnabled>true</BucketKeyEnabled><ChecksumAlgorithm>CRC32C</ChecksumAlgorithm></S3PutObjectCopy>",
  tagging:
    "<S3PutObjectTagging><TagSet><member><Key>a</Key><Value>1</Value></member><S3Tag><Key>b c</Key><Value></Value></S3Tag></TagSet></S3PutObjectTagging>",
  deleteTagging: "<S3DeleteObjectTagging/>",
  acl:
    "<S3PutObjectAcl><AccessControlPolicy><AccessControlList><Owner><ID>owner-id</ID><DisplayName>Owner</DisplayName></Owner>" +
    "<Grants><member><Grantee><TypeIdentifier>uri</TypeIdentifier><Identifier>http://acs.amazonaws.com/groups/global/AllUsers</Identifier></Grantee><Permission>READ</Permission></member></Grants>" +
    "</AccessControlList></AccessControlPolicy></S3PutObjectAcl>",
  cannedAcl:
    "<S3PutObjectAcl><AccessControlPolicy><CannedAccessControlList>public-read</CannedAccessControlList></AccessControlPolicy></S3PutObjectAcl>",
  restore:
    "<S3InitiateRestoreObject><ExpirationInDays>3</ExpirationInDays><GlacierJobTier>BULK</GlacierJobTier></S3InitiateRestoreObject>",
  legalHold: "<S3PutObjectLegalHold><LegalHold><Status>ON</Status></LegalHold></S3PutObjectLegalHold>",
  retention:
    "<S3PutObjectRetention><BypassGovernanceRetention>true</BypassGovernanceRetention><Retention><RetainUntilDate>2030-05-06T07:08:09Z</RetainUntilDate><Mode>COMPLIANCE</Mode></Retention></S3PutObjectRetention>",
  checksum:
    "<S3ComputeObjectChecksum><ChecksumAlgorithm>SHA256</ChecksumAlgorithm><ChecksumType>COMPOSITE</ChecksumType></S3ComputeObjectChecksum>",
  lambda:
    "<LambdaInvoke><FunctionArn>arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST</FunctionArn><InvocationSchemaVersion>2.0</InvocationSchemaVersion>" +
    "<UserArguments><entry><key>k1</key><value>v1</value></entry><entry><key>k2</key><value></value></entry></UserArguments></LambdaInvoke>",
  replicate: "<S3ReplicateObject></S3ReplicateObject>",
  delete: "<S3DeleteObject/>",
  addTagging: "<S3AddObjectTagging><TagSet><member><Key>x</Key><Value>y</Value></member></TagSet></S3AddObjectTagging>",
};

const EXPECTED: Record<string, Operation> = {
  copy: {
    kind: "PutObjectCopy",
    targetResource: { arn: "arn:aws:s3:::dest", bucket: "dest" },
    targetKeyPrefix: "Folder1",
    cannedAccessControlList: "bucket-owner-full-control",
    accessControlGrants: [
      { granteeType: "id", identifier: "abc", displayName: "Ab", permission: "READ" },
      { granteeType: "emailAddress", identifier: "a@b.c", permission: "WRITE_ACP" },
    ],
    metadataDirective: "Replaced",
    modifiedSinceConstraint: "2024-01-02T03:04:05Z",
    unModifiedSinceConstraint: "2025-01-02T03:04:05.123Z",
    newObjectMetadata: {
      cacheControl: "no-cache",
      contentDisposition: "inline",
      contentEncoding: "gzip",
      contentLanguage: "en",
      contentType: "text/plain",
      httpExpiresDate: "2030-01-01T00:00:00Z",
      sseAlgorithm: "AES256",
      userMetadata: [
        { key: "color", value: "blue" },
        { key: "size", value: "L" },
      ],
      requesterCharged: true,
      contentLength: 12,
      contentMD5: "md5",
    },
    newObjectTagging: [{ key: "t1", value: "v1" }],
    redirectLocation: "/elsewhere",
    requesterPays: false,
    storageClass: "STANDARD_IA",
    sseAwsKmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/k",
    objectLockLegalHoldStatus: "OFF",
    objectLockMode: "GOVERNANCE",
    objectLockRetainUntilDate: "2031-01-01T00:00:00Z",
    bucketKeyEnabled: true,
    checksumAlgorithm: "CRC32C",
  },
  tagging: {
    kind: "PutObjectTagging",
    tagSet: [
      { key: "a", value: "1" },
      { key: "b c", value: "" },
    ],
  },
  deleteTagging: { kind: "DeleteObjectTagging" },
  acl: {
    kind: "PutObjectAcl",
    acl: {
      owner: { id: "owner-id", displayName: "Owner" },
      grants: [
        { granteeType: "uri", identifier: "http://acs.amazonaws.com/groups/global/AllUsers", permission: "READ" },
      ],
    },
  },
  cannedAcl: { kind: "PutObjectAcl", acl: { canned: "public-read" } },
  restore: { kind: "InitiateRestoreObject", expirationInDays: 3, tier: "Bulk" },
  legalHold: { kind: "PutObjectLegalHold", status: "ON" },
  retention: {
    kind: "PutObjectRetention",
    bypassGovernanceRetention: true,
    mode: "COMPLIANCE",
    retainUntilDate: "2030-05-06T07:08:09Z",
  },
  checksum: { kind: "ComputeObjectChecksum", algorithm: "SHA256", checksumType: "COMPOSITE" },
  lambda: {
    kind: "InvokeFunction",
    functionArn: "arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST",
    invocationSchemaVersion: "2.0",
    userArguments: [
      { key: "k1", value: "v1" },
      { key: "k2", value: "" },
    ],
  },
  replicate: { kind: "ReplicateObject" },
  delete: { kind: "DeleteObject" },
  addTagging: { kind: "AddObjectTagging", tagSet: [{ key: "x", value: "y" }] },
};

const GENERATOR =
  "<ManifestGenerator><S3JobManifestGenerator><ExpectedBucketOwner>123456789012</ExpectedBucketOwner><SourceBucket>arn:aws:s3:::source</SourceBucket>" +
  "<ManifestOutputLocation><ExpectedManifestBucketOwner>123456789012</ExpectedManifestBucketOwner><Bucket>arn:aws:s3:::manifests</Bucket>" +
  "<ManifestPrefix>generated</ManifestPrefix><ManifestEncryption><SSE-KMS><KeyId>arn:aws:kms:us-east-1:123456789012:key/m</KeyId></SSE-KMS></ManifestEncryption>" +
  "<ManifestFormat>S3InventoryReport_CSV_20211130</ManifestFormat></ManifestOutputLocation>" +
  "<Filter><EligibleForReplication>true</EligibleForReplication><CreatedAfter>2024-01-01T00:00:00Z</CreatedAfter><CreatedBefore>2024-06-01T00:00:00.500Z</CreatedBefore>" +
  "<ObjectReplicationStatuses><member>NONE</member><member>FAILED</member></ObjectReplicationStatuses>" +
  "<KeyNameConstraint><MatchAnyPrefix><member>logs/</member></MatchAnyPrefix><MatchAnySuffix><member>.gz</member><member>.zip</member></MatchAnySuffix>" +
  "<MatchAnySubstring><member>2024</member></MatchAnySubstring></KeyNameConstraint>" +
  "<ObjectSizeGreaterThanBytes>10</ObjectSizeGreaterThanBytes><ObjectSizeLessThanBytes>1048576</ObjectSizeLessThanBytes>" +
  "<MatchAnyStorageClass><member>STANDARD</member><member>GLACIER_IR</member></MatchAnyStorageClass>" +
  "<MatchAnyObjectEncryption><ObjectEncryption><SSE-KMS><KmsKeyArn>arn:aws:kms:us-east-1:123456789012:key/abc-123</KmsKeyArn><BucketKeyEnabled>false</BucketKeyEnabled></SSE-KMS></ObjectEncryption></MatchAnyObjectEncryption>" +
  "</Filter><EnableManifestOutput>true</EnableManifestOutput></S3JobManifestGenerator></ManifestGenerator>";

const parser = new XMLParser({ parseTagValue: false, ignoreDeclaration: true, isArray: (n) => n === "member" });

function asJob(spec: JobSpec, extra: Partial<Job> = {}): Job {
  return {
    ...spec,
    jobId: "11111111-2222-3333-4444-555555555555",
    status: "Suspended",
    creationTime: new Date("2024-05-06T07:08:09.345Z"),
    suspendedDate: new Date("2024-05-06T07:09:00Z"),
    suspendedCause: "Awaiting confirmation",
    failureReasons: [],
    progress: { total: -1, succeeded: 0, failed: 0, elapsedActiveSeconds: 0 },
    ...extra,
  };
}

/** The `<Operation>` of a rendered job, put back into a CreateJob body and parsed again. */
function reparseOperation(op: Operation): Operation {
  const xml = toXml(renderS3ControlOperation(op), { declaration: false });
  const inner = xml.replace(/^<Operation>|<\/Operation>$/g, "");
  return parseS3ControlCreateJobRequest(body(inner), ACCOUNT).operation;
}

describe("S3 Control CreateJob parser", () => {
  it("reads every top-level element, the manifest and the report", () => {
    const spec = parseS3ControlCreateJobRequest(
      body(OPERATIONS.tagging!, { more: "<Tags><member><Key>team</Key><Value>data</Value></member></Tags>" }),
      ACCOUNT,
    );
    assert.deepEqual(
      { ...spec, operation: undefined },
      {
        accountId: ACCOUNT,
        dialect: "s3control",
        clientRequestToken: "token-1",
        confirmationRequired: true,
        description: "a job",
        priority: 42,
        roleArn: "arn:aws:iam::123456789012:role/batch",
        operation: undefined,
        manifest: {
          format: "S3BatchOperations_CSV_20180820",
          fields: ["Bucket", "Key"],
          location: {
            objectArn: "arn:aws:s3:::manifests/jobs/m.csv",
            bucket: { arn: "arn:aws:s3:::manifests", bucket: "manifests" },
            key: "jobs/m.csv",
            versionId: "v1",
            etag: '"abc123"',
          },
        },
        report: {
          enabled: true,
          bucket: { arn: "arn:aws:s3:::reports", bucket: "reports" },
          format: "Report_CSV_20180820",
          prefix: "batch",
          scope: "FailedTasksOnly",
          expectedBucketOwner: "123456789012",
        },
        tags: [{ key: "team", value: "data" }],
      },
    );
  });

  for (const [name, xml] of Object.entries(OPERATIONS)) {
    it(`reads ${name} and reads back what it renders`, () => {
      const op = parseS3ControlCreateJobRequest(body(xml), ACCOUNT).operation;
      assert.deepEqual(op, EXPECTED[name]);
      assert.deepEqual(reparseOperation(op), op);
    });
  }

  it("defaults ConfirmationRequired to false and a disabled report to nothing more", () => {
    const xml = body(OPERATIONS.delete!)
      .replace("<ConfirmationRequired>true</ConfirmationRequired>", "")
      .replace(REPORT, "<Report><Enabled>false</Enabled></Report>");
    const spec = parseS3ControlCreateJobRequest(xml, ACCOUNT);
    assert.equal(spec.confirmationRequired, false);
    assert.deepEqual(spec.report, { enabled: false });
  });

  it("reads a ManifestGenerator with every filter and renders it back", () => {
    const spec = parseS3ControlCreateJobRequest(body(OPERATIONS.delete!, { manifest: GENERATOR }), ACCOUNT);
    assert.equal(spec.manifest, undefined);
    assert.deepEqual(spec.manifestGenerator, {
      kind: "S3JobManifestGenerator",
      expectedBucketOwner: "123456789012",
      sourceBucket: { arn: "arn:aws:s3:::source", bucket: "source" },
      enableManifestOutput: true,
      manifestOutputLocation: {
        expectedManifestBucketOwner: "123456789012",
        bucket: { arn: "arn:aws:s3:::manifests", bucket: "manifests" },
        manifestPrefix: "generated",
        manifestEncryption: "SSE-KMS",
        manifestEncryptionKmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/m",
        manifestFormat: "S3InventoryReport_CSV_20211130",
      },
      filter: {
        eligibleForReplication: true,
        createdAfter: "2024-01-01T00:00:00Z",
        createdBefore: "2024-06-01T00:00:00.500Z",
        objectReplicationStatuses: ["NONE", "FAILED"],
        keyNameConstraint: { matchAnyPrefix: ["logs/"], matchAnySuffix: [".gz", ".zip"], matchAnySubstring: ["2024"] },
        objectSizeGreaterThanBytes: 10,
        objectSizeLessThanBytes: 1048576,
        matchAnyStorageClass: ["STANDARD", "GLACIER_IR"],
        matchAnyObjectEncryption: ["SSE-KMS"],
        objectEncryptionFilters: [
          { type: "SSE-KMS", kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/abc-123", bucketKeyEnabled: false },
        ],
      },
    });
    const rendered = toXml(renderManifestGenerator(spec.manifestGenerator!), { declaration: false });
    assert.match(rendered, /<MatchAnyObjectEncryption><ObjectEncryption><SSE-KMS>/);
    const again = parseS3ControlCreateJobRequest(body(OPERATIONS.delete!, { manifest: rendered }), ACCOUNT);
    assert.deepEqual(again.manifestGenerator, spec.manifestGenerator);
  });

  it("reads the other encryption filters and SSE-S3 manifest encryption", () => {
    for (const type of ["SSE-S3", "DSSE-KMS", "SSE-C", "NOT-SSE"]) {
      const gen = GENERATOR.replace(
        /<MatchAnyObjectEncryption>.*<\/MatchAnyObjectEncryption>/,
        `<MatchAnyObjectEncryption><ObjectEncryption><${type}/></ObjectEncryption></MatchAnyObjectEncryption>`,
      ).replace(/<ManifestEncryption>.*<\/ManifestEncryption>/, "<ManifestEncryption><SSE-S3/></ManifestEncryption>");
      const g = parseS3ControlCreateJobRequest(body(OPERATIONS.delete!, { manifest: gen }), ACCOUNT).manifestGenerator!;
      assert.deepEqual(g.filter?.matchAnyObjectEncryption, [type]);
      assert.equal(g.manifestOutputLocation?.manifestEncryption, "SSE-S3");
      const again = toXml(renderManifestGenerator(g), { declaration: false });
      assert.deepEqual(
        parseS3ControlCreateJobRequest(body(OPERATIONS.delete!, { manifest: again }), ACCOUNT).manifestGenerator,
        g,
      );
    }
  });

  it("rejects bodies that are not a valid CreateJobRequest", () => {
    const cases: [string, string | RegExp][] = [
      [body(""), /exactly one operation; it contains none/],
      [
        body(OPERATIONS.delete! + OPERATIONS.tagging!),
        /exactly one operation; it contains S3DeleteObject, S3PutObjectTagging/,
      ],
      [body("<S3FlyToTheMoon/>"), /Unknown operation/],
      [body("<S3UpdateObjectEncryption/>"), /not supported/],
      [body(OPERATIONS.delete!, { manifest: MANIFEST + GENERATOR }), /exactly one of Manifest and ManifestGenerator/],
      [body(OPERATIONS.delete!, { manifest: "" }), /exactly one of Manifest and ManifestGenerator/],
      [body(OPERATIONS.delete!).replace("<Priority>42", "<Priority>-1"), /Priority must be an integer/],
      [body(OPERATIONS.delete!).replace("<Priority>42", "<Priority>2147483648"), /Priority/],
      [body(OPERATIONS.delete!).replace("<Priority>42", "<Priority>4.2"), /Priority/],
      [body(OPERATIONS.delete!).replace("<ConfirmationRequired>true", "<ConfirmationRequired>yes"), /true or false/],
      [body(OPERATIONS.delete!).replace("<Description>a job", `<Description>${"x".repeat(257)}`), /at most 256/],
      [body(OPERATIONS.delete!).replace("token-1", "t".repeat(65)), /at most 64/],
      [
        body(OPERATIONS.delete!).replace("<Priority>42</Priority>", ""),
        /Missing required element CreateJobRequest\/Priority/,
      ],
      [body(OPERATIONS.delete!, { more: "<Priorty>1</Priorty>" }), /Unknown element CreateJobRequest\/Priorty/],
      [body(OPERATIONS.delete!, { more: "<Priority>1</Priority>" }), /appears more than once/],
      [body(OPERATIONS.delete!).replace("arn:aws:s3:::reports", "arn:aws:s3:::Bad_Bucket"), /valid bucket/],
      [body(OPERATIONS.delete!).replace("<Fields><member>Bucket</member>", "<Fields>"), /Bucket and Key/],
      [body(OPERATIONS.lambda!.replace("2.0", "1.0")), /UserArguments needs InvocationSchemaVersion 2.0/],
      [body(OPERATIONS.checksum!.replace("SHA256", "CRC64NVME")), /FULL_OBJECT/],
      [body(OPERATIONS.tagging!.replace("<Key>a</Key>", "<Key>a\u0001</Key>")), /not well-formed|allow/],
      [body(OPERATIONS.tagging!.replace("<Key>a</Key>", "<Key>a;b</Key>")), /may hold only/],
      [body(OPERATIONS.tagging!.replace("<Key>b c</Key>", "<Key>a</Key>")), /has the key "a" more than once/],
      [
        body(OPERATIONS.delete!, {
          more: `<Tags>${Array.from({ length: 51 }, (_, i) => `<member><Key>k${i}</Key><Value>v</Value></member>`).join("")}</Tags>`,
        }),
        /at most 50/,
      ],
      [body(OPERATIONS.retention!.replace("<Mode>COMPLIANCE</Mode>", "")), /both Mode and RetainUntilDate/],
      [body(OPERATIONS.copy!.replace("2024-01-02T03:04:05.000Z", "yesterday")), /ISO-8601/],
      [body(OPERATIONS.acl!.replace("<Owner><ID>owner-id</ID><DisplayName>Owner</DisplayName></Owner>", "")), /Owner/],
      [
        body(OPERATIONS.delete!, {
          manifest: GENERATOR.replace(
            "</ObjectEncryption>",
            "</ObjectEncryption><ObjectEncryption><SSE-S3/></ObjectEncryption>",
          ),
        }),
        /at most 1 item/,
      ],
      [`<!DOCTYPE x [<!ENTITY a "b">]>${body(OPERATIONS.delete!)}`, /DOCTYPE/],
      [body(OPERATIONS.delete!).replace("a job", "&lol;"), /undefined entity/],
      ["<CreateJobRequest>", /not well-formed/],
      ["<PutJobTaggingRequest/>", /root element must be CreateJobRequest/],
      ["", /empty/],
    ];
    for (const [xml, message] of cases) {
      assert.throws(
        () => parseS3ControlCreateJobRequest(xml, ACCOUNT),
        (e: unknown) => {
          assert.ok(isDomainError(e), `${String(e)} for ${xml.slice(0, 200)}`);
          if (typeof message === "string") assert.equal(e.message, message);
          else assert.match(e.message, message);
          return true;
        },
      );
    }
  });

  it("reads PutJobTagging bodies, including an empty tag set", () => {
    assert.deepEqual(
      parsePutJobTaggingRequest(
        `<PutJobTaggingRequest${NS}><Tags><member><Key>a</Key><Value>b</Value></member></Tags></PutJobTaggingRequest>`,
      ),
      [{ key: "a", value: "b" }],
    );
    assert.deepEqual(parsePutJobTaggingRequest("<PutJobTaggingRequest><Tags/></PutJobTaggingRequest>"), []);
    assertDomainError(() => parsePutJobTaggingRequest("<PutJobTaggingRequest/>"), "InvalidArgument", /Tags/);
    assertDomainError(() => parsePutJobTaggingRequest("<Tagging/>"), "MalformedXML");
  });
});

describe("S3 Control responses", () => {
  it("renders a DescribeJob result with every JobDescriptor element, in model order", () => {
    const spec = parseS3ControlCreateJobRequest(body(OPERATIONS.copy!), ACCOUNT);
    const xml = renderDescribeJobResult(
      asJob(spec, {
        status: "Failed",
        terminationDate: new Date("2024-05-07T00:00:00Z"),
        statusUpdateReason: "Job failed",
        failureReasons: [{ code: "ManifestETagMismatch", reason: "The manifest ETag does not match" }],
        progress: { total: 10, succeeded: 7, failed: 3, elapsedActiveSeconds: 5 },
        generatedManifest: {
          format: "S3InventoryReport_CSV_20211130",
          location: {
            objectArn: "arn:aws:s3:::manifests/generated/manifest.json",
            bucket: { arn: "arn:aws:s3:::manifests", bucket: "manifests" },
            key: "generated/manifest.json",
            etag: "e1",
          },
        },
      }),
      "eu-west-1",
    );
    const job = parser.parse(xml).DescribeJobResult.Job;
    assert.deepEqual(Object.keys(job), [
      "JobId",
      "ConfirmationRequired",
      "Description",
      "JobArn",
      "Status",
      "Manifest",
      "Operation",
      "Priority",
      "ProgressSummary",
      "StatusUpdateReason",
      "FailureReasons",
      "Report",
      "CreationTime",
      "TerminationDate",
      "RoleArn",
      "SuspendedDate",
      "SuspendedCause",
      "GeneratedManifestDescriptor",
    ]);
    assert.equal(job.JobArn, "arn:aws:s3:eu-west-1:123456789012:job/11111111-2222-3333-4444-555555555555");
    assert.equal(job.CreationTime, "2024-05-06T07:08:09Z");
    assert.deepEqual(job.ProgressSummary, {
      TotalNumberOfTasks: "10",
      NumberOfTasksSucceeded: "7",
      NumberOfTasksFailed: "3",
      Timers: { ElapsedTimeInActiveSeconds: "5" },
    });
    assert.deepEqual(job.FailureReasons.member, [
      { FailureCode: "ManifestETagMismatch", FailureReason: "The manifest ETag does not match" },
    ]);
    assert.deepEqual(job.Manifest.Spec.Fields.member, ["Bucket", "Key"]);
    assert.equal(job.Manifest.Location.ETag, '"abc123"');
    assert.equal(job.Operation.S3PutObjectCopy.NewObjectMetadata.UserMetadata.entry[0].key, "color");
    assert.deepEqual(job.GeneratedManifestDescriptor, {
      Format: "S3InventoryReport_CSV_20211130",
      Location: { ObjectArn: "arn:aws:s3:::manifests/generated/manifest.json", ETag: "e1" },
    });
  });

  it("describes COS and OSS jobs in AWS terms", () => {
    const cos = asJob(copySpec({ operation: { kind: "AddObjectTagging", tagSet: [{ key: "a", value: "b" }] } }));
    const job = parser.parse(renderDescribeJobResult(cos, "us-east-1")).DescribeJobResult.Job;
    assert.deepEqual(Object.keys(job.Operation), ["S3AddObjectTagging"]);
    assert.equal(job.Report.Format, "Report_CSV_20180820");
    assert.equal(job.Report.Bucket, "qcs::cos:ap-chengdu::reports-1250000000");
    assert.equal(job.Manifest.Location.ObjectArn, "qcs::cos:ap-chengdu::src-1250000000/manifests/m.csv");
    assert.equal(job.ProgressSummary.TotalNumberOfTasks, "0");

    const copy = asJob(
      copySpec(
        {},
        {
          kind: "PutObjectCopy",
          targetResource: { arn: "qcs::cos:ap-chengdu::dst-1250000000", bucket: "dst-1250000000" },
          prefixReplace: true,
          resourcesPrefix: "a/",
          targetKeyPrefix: "",
          metadataDirective: "Add",
          taggingDirective: "Copy",
        },
      ),
    );
    const op = parser.parse(renderDescribeJobResult(copy, "us-east-1")).DescribeJobResult.Job.Operation.S3PutObjectCopy;
    assert.equal(op.MetadataDirective, "ADD");
    assert.equal(op.TargetKeyPrefix, undefined);

    const oss = asJob({
      ...copySpec(),
      dialect: "oss",
      manifest: undefined,
      manifestGenerator: {
        kind: "KeyPrefixManifestGenerator",
        sourceBucket: { arn: "src-bucket", bucket: "src-bucket" },
        enableManifestOutput: false,
        prefix: "photos/",
      },
    });
    const gen = parser.parse(renderDescribeJobResult(oss, "us-east-1")).DescribeJobResult.Job.ManifestGenerator;
    assert.deepEqual(gen.S3JobManifestGenerator, {
      SourceBucket: "src-bucket",
      Filter: { KeyNameConstraint: { MatchAnyPrefix: { member: ["photos/"] } } },
      EnableManifestOutput: "false",
    });
  });

  it("lists jobs under <Jobs><member> with the operation name in AWS terms and NextToken", () => {
    const jobs = [
      asJob(copySpec(), { jobId: "job-a" }),
      asJob(copySpec({ dialect: "oss", operation: { kind: "DeleteObject" } }), { jobId: "job-b", description: "" }),
    ];
    const list = parser.parse(renderListJobsResult(jobs, "job-b")).ListJobsResult;
    assert.equal(list.NextToken, "job-b");
    assert.deepEqual(
      list.Jobs.member.map((m: { Operation: string }) => m.Operation),
      ["S3PutObjectCopy", "S3DeleteObject"],
    );
    assert.equal(list.Jobs.member[1].Description, undefined);
    assert.deepEqual(Object.keys(list.Jobs.member[0]), [
      "JobId",
      "Description",
      "Operation",
      "Priority",
      "Status",
      "CreationTime",
      "ProgressSummary",
    ]);
    assert.equal(parser.parse(renderListJobsResult([], undefined)).ListJobsResult.NextToken, undefined);
  });

  it("renders job tags as <Tags><member>", () => {
    const xml = renderGetJobTaggingResult([{ key: "a", value: "<&>" }]);
    assert.deepEqual(parser.parse(xml).GetJobTaggingResult.Tags.member, [{ Key: "a", Value: "<&>" }]);
  });

  it("renders errors as <ErrorResponse><Error> with the modelled exception names", () => {
    const cases: [DomainError, number, string][] = [
      [new DomainError("NoSuchJob", "gone"), 404, "NotFoundException"],
      [new DomainError("IllegalStatusChange", "no"), 400, "JobStatusException"],
      [new DomainError("Idempotency", "no"), 400, "IdempotencyException"],
      [new DomainError("InvalidNextToken", "no"), 400, "InvalidNextTokenException"],
      [new DomainError("TooManyTags", "no"), 400, "TooManyTagsException"],
      [new DomainError("MalformedXML", "no"), 400, "BadRequestException"],
      [new DomainError("InvalidArgument", "no"), 400, "BadRequestException"],
      [new DomainError("ServiceUnavailable", "busy"), 503, "SlowDown"],
      [new DomainError("InternalError", "oops"), 500, "InternalServiceException"],
      [new DomainError("SignatureDoesNotMatch", "sig"), 403, "SignatureDoesNotMatch"],
    ];
    for (const [domain, status, code] of cases) {
      const e = s3ControlErrorFor(domain);
      assert.equal(e.status, status);
      assert.equal(e.code, code);
      const xml = parser.parse(renderS3ControlError(e, "REQ1", "HOST1"));
      assert.deepEqual(xml.ErrorResponse, {
        Error: { Type: status >= 500 ? "Receiver" : "Sender", Code: code, Message: domain.message },
        RequestId: "REQ1",
        HostId: "HOST1",
      });
    }
    assert.ok(new S3ControlError(400, "X", "y") instanceof Error);
  });
});

describe("S3 Control query parameters", () => {
  const q = (pairs: [string, string][]) => pairs.map(([name, value]) => ({ name, value }));

  it("reads jobStatuses repeated and comma-separated, maxResults and nextToken", () => {
    assert.deepEqual(
      parseListJobsQuery(
        q([
          ["jobStatuses", "Active"],
          ["jobStatuses", "Complete,Failed"],
          ["maxResults", "5"],
          ["nextToken", "abc-123"],
        ]),
      ),
      { statuses: ["Active", "Complete", "Failed"], maxResults: 5, nextToken: "abc-123" },
    );
    assert.deepEqual(parseListJobsQuery([]), { maxResults: 1000 });
    // The model allows 0: no jobs, as S3's listings answer a maximum of 0.
    assert.deepEqual(parseListJobsQuery(q([["maxResults", "0"]])), { maxResults: 0 });
  });

  it("rejects bad ListJobs parameters with InvalidRequestException / InvalidNextTokenException", () => {
    const code = (pairs: [string, string][]) => {
      try {
        parseListJobsQuery(q(pairs));
        return "accepted";
      } catch (e) {
        return (e as S3ControlError).code;
      }
    };
    assert.equal(code([["jobStatuses", "Running"]]), "InvalidRequestException");
    assert.equal(code([["maxResults", "1001"]]), "InvalidRequestException");
    assert.equal(code([["maxResults", "ten"]]), "InvalidRequestException");
    assert.equal(
      code([
        ["maxResults", "1"],
        ["maxResults", "2"],
      ]),
      "InvalidRequestException",
    );
    assert.equal(code([["nextToken", "bad token!"]]), "InvalidNextTokenException");
  });

  it("reads priority and status parameters", () => {
    assert.equal(parsePriorityQuery(q([["priority", "2147483647"]])), 2147483647);
    assertDomainError(() => parsePriorityQuery(q([["priority", "2147483648"]])), "InvalidArgument");
    assertDomainError(() => parsePriorityQuery([]), "InvalidArgument", /required/);
    assert.deepEqual(
      parseStatusQuery(
        q([
          ["requestedJobStatus", "Cancelled"],
          ["statusUpdateReason", "no longer needed"],
        ]),
      ),
      { requested: "Cancelled", reason: "no longer needed" },
    );
    assertDomainError(() => parseStatusQuery(q([["requestedJobStatus", "Paused"]])), "InvalidArgument");
    assertDomainError(
      () =>
        parseStatusQuery(
          q([
            ["requestedJobStatus", "Ready"],
            ["statusUpdateReason", "r".repeat(257)],
          ]),
        ),
      "InvalidArgument",
    );
  });
});
