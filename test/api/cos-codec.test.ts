import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { XMLParser } from "fast-xml-parser";
import { PRIORITY_MESSAGE, parseCosCreateJobRequest } from "../../src/api/dialects/cos/create-job-request.js";
import { cosErrorFor, renderCosError } from "../../src/api/dialects/cos/errors.js";
import { COS_OPERATION_NAMES } from "../../src/api/dialects/cos/operation.js";
import {
  renderCreateJobResult,
  renderDescribeJobResult,
  renderListJobsResult,
  renderUpdateJobPriorityResult,
  renderUpdateJobStatusResult,
} from "../../src/api/dialects/cos/responses.js";
import { parseXmlDocument, type XmlElement } from "../../src/api/xml/parse.js";
import { DomainError, type DomainErrorKind } from "../../src/domain/errors.js";
import type { Job, JobSpec, JobSummary, Operation } from "../../src/domain/job.js";
import { assertDomainError } from "./assert-domain-error.js";
import {
  SEED_CREATE_JOB_BODY,
  SEED_CREATE_JOB_RESULT,
  SEED_DESCRIBE_JOB_TEMPLATE,
  SEED_LIST_JOBS_RESULT,
} from "./fixtures/cos-seeds.js";

const ACCOUNT = "1250000000";
const DECL = '<?xml version="1.0" encoding="UTF-8"?>';
const parse = (body: string) => parseCosCreateJobRequest(body, ACCOUNT);

/** The seed body with one fragment replaced (the fragment must be present). */
function mutate(from: string | RegExp, to: string): string {
  const out = SEED_CREATE_JOB_BODY.replace(from, to);
  assert.notEqual(out, SEED_CREATE_JOB_BODY, `fragment ${String(from)} not in the seed body`);
  return out;
}
const withOperation = (inner: string) => mutate(/<Operation>.*<\/Operation>/, `<Operation>${inner}</Operation>`);
const withReport = (inner: string) => mutate(/<Report>.*<\/Report>/, `<Report>${inner}</Report>`);
const withManifest = (inner: string) => mutate(/<Manifest>.*<\/Manifest>/, `<Manifest>${inner}</Manifest>`);

function jobFrom(spec: JobSpec, extra: Partial<Job> = {}): Job {
  return {
    ...spec,
    jobId: "53dc6228-c50b-46f7-8ad7-65e7159f1aae",
    status: "Complete",
    creationTime: new Date("2019-12-19T18:00:30.123Z"),
    terminationDate: new Date("2019-12-19T18:00:40Z"),
    statusUpdateReason: "Job complete",
    failureReasons: [],
    progress: { total: 10, succeeded: 10, failed: 0, elapsedActiveSeconds: 5 },
    ...extra,
  };
}

describe("COS CreateJob request", () => {
  it("parses the seed 003 example into the canonical spec", () => {
    const spec = parse(SEED_CREATE_JOB_BODY);
    assert.deepEqual(spec, {
      accountId: ACCOUNT,
      dialect: "cos",
      clientRequestToken: "184ce261-18af-5e3d-3e30-253723cfd937",
      confirmationRequired: false,
      description: "example-job",
      priority: 10,
      roleArn: "qcs::cam::uin/100000000001:roleName/COS_Batch_QcsRole",
      operation: {
        kind: "PutObjectCopy",
        targetResource: {
          arn: "qcs::cos:ap-chengdu:uid/1250000000:destinationbucket-1250000000",
          bucket: "destinationbucket-1250000000",
        },
      },
      manifest: {
        format: "COSBatchOperations_CSV_V1",
        fields: ["Bucket", "Key"],
        location: {
          objectArn: "qcs::cos:ap-chengdu::sourcebucket-1250000000/manifests/batch-copy-manifest.csv",
          bucket: { arn: "qcs::cos:ap-chengdu::sourcebucket-1250000000", bucket: "sourcebucket-1250000000" },
          key: "manifests/batch-copy-manifest.csv",
          etag: '"15150651828fa9cdcb8356b6d1c7638b"',
        },
      },
      report: {
        enabled: true,
        bucket: { arn: "qcs::cos:ap-chengdu::sourcebucket-1250000000", bucket: "sourcebucket-1250000000" },
        format: "Report_CSV_V1",
        prefix: "job-result",
        scope: "AllTasks",
      },
    } satisfies JobSpec);
  });

  it("accepts the body as bytes, with a declaration, whitespace and any element order", () => {
    const shuffled = `${DECL}\n<CreateJobRequest>\n  <RoleArn>r</RoleArn>\n  <Priority> 7 </Priority>\n  ${SEED_CREATE_JOB_BODY.match(/<Report>.*<\/Report>/)![0]}\n  ${SEED_CREATE_JOB_BODY.match(/<Operation>.*<\/Operation>/)![0]}\n  ${SEED_CREATE_JOB_BODY.match(/<Manifest>.*<\/Manifest>/)![0]}\n  <ClientRequestToken>t</ClientRequestToken>\n</CreateJobRequest>\n`;
    const spec = parseCosCreateJobRequest(Buffer.from(shuffled), ACCOUNT);
    assert.equal(spec.priority, 7);
    assert.equal(spec.confirmationRequired, false);
    assert.equal(spec.description, undefined);
    assert.equal(spec.roleArn, "r");
  });

  it("reads every COSPutObjectCopy field", () => {
    const spec = parse(
      withOperation(`<COSPutObjectCopy>
        <AccessControlDirective>Replaced</AccessControlDirective>
        <AccessControlGrants>
          <COSGrant><Grantee><Identifier>qcs::cam::uin/100000000001:uin/100000000011</Identifier><TypeIdentifier>ID</TypeIdentifier></Grantee><Permission>READ</Permission></COSGrant>
          <COSGrant><Grantee><DisplayName>Ann</DisplayName><Identifier>qcs::cam::uin/1:uin/2</Identifier><TypeIdentifier>ID</TypeIdentifier></Grantee><Permission>FULL_CONTROL</Permission></COSGrant>
        </AccessControlGrants>
        <PrefixReplace>true</PrefixReplace>
        <ResourcesPrefix>pic</ResourcesPrefix>
        <TargetKeyPrefix></TargetKeyPrefix>
        <CannedAccessControlList>private</CannedAccessControlList>
        <MetadataDirective>Replaced</MetadataDirective>
        <ModifiedSinceConstraint>1576778429</ModifiedSinceConstraint>
        <UnModifiedSinceConstraint>2019-12-19T18:00:29+08:00</UnModifiedSinceConstraint>
        <NewObjectMetadata>
          <CacheControl>no-cache</CacheControl><ContentDisposition>inline</ContentDisposition>
          <ContentEncoding>gzip</ContentEncoding><ContentType>text/plain</ContentType>
          <HttpExpiresDate>Thu, 19 Dec 2019 18:00:29 GMT</HttpExpiresDate><SSEAlgorithm>AES256</SSEAlgorithm>
          <UserMetadata><member><Key>a</Key><Value>1</Value></member><member><Key>b</Key><Value></Value></member></UserMetadata>
        </NewObjectMetadata>
        <TaggingDirective>Add</TaggingDirective>
        <NewObjectTagging><COSTag><Key>k</Key><Value>v</Value></COSTag></NewObjectTagging>
        <StorageClass>STANDARD_IA</StorageClass>
        <TargetResource>arn:aws:s3:::dest-bucket</TargetResource>
      </COSPutObjectCopy>`),
    );
    assert.deepEqual(spec.operation, {
      kind: "PutObjectCopy",
      targetResource: { arn: "arn:aws:s3:::dest-bucket", bucket: "dest-bucket" },
      prefixReplace: true,
      resourcesPrefix: "pic",
      targetKeyPrefix: "",
      metadataDirective: "Replaced",
      newObjectMetadata: {
        cacheControl: "no-cache",
        contentDisposition: "inline",
        contentEncoding: "gzip",
        contentType: "text/plain",
        httpExpiresDate: "2019-12-19T18:00:29Z",
        sseAlgorithm: "AES256",
        userMetadata: [
          { key: "a", value: "1" },
          { key: "b", value: "" },
        ],
      },
      taggingDirective: "Add",
      newObjectTagging: [{ key: "k", value: "v" }],
      accessControlDirective: "Replaced",
      accessControlGrants: [
        { granteeType: "id", identifier: "qcs::cam::uin/100000000001:uin/100000000011", permission: "READ" },
        { granteeType: "id", identifier: "qcs::cam::uin/1:uin/2", displayName: "Ann", permission: "FULL_CONTROL" },
      ],
      cannedAccessControlList: "private",
      storageClass: "STANDARD_IA",
      modifiedSinceConstraint: "2019-12-19T18:00:29Z",
      unModifiedSinceConstraint: "2019-12-19T10:00:29Z",
    } satisfies Operation);
  });

  const operations: Record<string, [string, Operation]> = {
    COSInitiateRestoreObject: [
      "<COSInitiateRestoreObject><ExpirationInDays>365</ExpirationInDays><JobTier>Bulk</JobTier></COSInitiateRestoreObject>",
      { kind: "InitiateRestoreObject", expirationInDays: 365, tier: "Bulk" },
    ],
    "COSPutObjectTagging (Replaced)": [
      "<COSPutObjectTagging><TaggingDirective>Replaced</TaggingDirective><TagSet><COSTag><Key>a</Key><Value>1</Value></COSTag></TagSet></COSPutObjectTagging>",
      { kind: "PutObjectTagging", tagSet: [{ key: "a", value: "1" }] },
    ],
    "COSPutObjectTagging (no directive, empty set removes all tags)": [
      "<COSPutObjectTagging><TagSet/></COSPutObjectTagging>",
      { kind: "PutObjectTagging", tagSet: [] },
    ],
    "COSPutObjectTagging (Add)": [
      "<COSPutObjectTagging><TagSet><COSTag><Key>a</Key><Value>1</Value></COSTag><COSTag><Key>b</Key><Value>2</Value></COSTag></TagSet><TaggingDirective>Add</TaggingDirective></COSPutObjectTagging>",
      {
        kind: "AddObjectTagging",
        tagSet: [
          { key: "a", value: "1" },
          { key: "b", value: "2" },
        ],
      },
    ],
    COSDeleteObject: ["<COSDeleteObject></COSDeleteObject>", { kind: "DeleteObject" }],
    "COSDeleteObject (self-closing)": ["<COSDeleteObject/>", { kind: "DeleteObject" }],
    "COSDeleteObjectTagging (extension)": ["<COSDeleteObjectTagging/>", { kind: "DeleteObjectTagging" }],
    "COSPutObjectAcl with a canned ACL (extension)": [
      "<COSPutObjectAcl><CannedAccessControlList>public-read</CannedAccessControlList></COSPutObjectAcl>",
      { kind: "PutObjectAcl", acl: { canned: "public-read" } },
    ],
    "COSPutObjectAcl with grants (extension)": [
      "<COSPutObjectAcl><AccessControlGrants><COSGrant><Grantee><Identifier>u</Identifier><TypeIdentifier>ID</TypeIdentifier></Grantee><Permission>WRITE_ACP</Permission></COSGrant></AccessControlGrants><Owner><ID>o</ID></Owner></COSPutObjectAcl>",
      {
        kind: "PutObjectAcl",
        acl: { grants: [{ granteeType: "id", identifier: "u", permission: "WRITE_ACP" }], owner: { id: "o" } },
      },
    ],
  };
  for (const [name, [xml, expected]] of Object.entries(operations)) {
    it(`reads ${name}`, () => assert.deepEqual(parse(withOperation(xml)).operation, expected));
  }

  it("accepts every bucket reference form (D2)", () => {
    const forms: [string, string][] = [
      ["qcs::cos:ap-chengdu:uid/1250000000:dest-1250000000", "dest-1250000000"],
      ["qcs::cos:ap-chengdu::dest-1250000000", "dest-1250000000"],
      ["arn:aws:s3:::dest.bucket", "dest.bucket"],
      ["acs:oss:cn-hangzhou:123456:dest-bucket", "dest-bucket"],
      ["plain-bucket", "plain-bucket"],
    ];
    for (const [arn, bucket] of forms) {
      const op = parse(
        withOperation(`<COSPutObjectCopy><TargetResource>${arn}</TargetResource></COSPutObjectCopy>`),
      ).operation;
      assert.deepEqual(op, { kind: "PutObjectCopy", targetResource: { arn, bucket } });
      const manifest = parse(mutate(/<ObjectArn>[^<]*<\/ObjectArn>/, `<ObjectArn>${arn}/dir/a b+c.csv</ObjectArn>`))
        .manifest!;
      assert.deepEqual(manifest.location.bucket, { arn, bucket });
      assert.equal(manifest.location.key, "dir/a b+c.csv");
      assert.equal(manifest.location.objectArn, `${arn}/dir/a b+c.csv`);
    }
  });

  it("reads ObjectVersionId, an inventory manifest without Fields, and a disabled report", () => {
    const spec = parse(
      withManifest(
        "<Location><ObjectArn>qcs::cos:ap-chengdu::inv-1250000000/inv/manifest.json</ObjectArn><ObjectVersionId>v1</ObjectVersionId></Location><Spec><Format>COSInventoryReport_CSV_V1</Format></Spec>",
      ).replace(/<Report>.*<\/Report>/, "<Report><Enabled>false</Enabled></Report>"),
    );
    assert.deepEqual(spec.manifest, {
      format: "COSInventoryReport_CSV_V1",
      fields: [],
      location: {
        objectArn: "qcs::cos:ap-chengdu::inv-1250000000/inv/manifest.json",
        bucket: { arn: "qcs::cos:ap-chengdu::inv-1250000000", bucket: "inv-1250000000" },
        key: "inv/manifest.json",
        versionId: "v1",
      },
    });
    assert.deepEqual(spec.report, { enabled: false });
  });

  it("defaults report Format and ReportScope when enabled, and ConfirmationRequired to false", () => {
    const spec = parse(
      withReport("<Enabled>true</Enabled><Bucket>reports-1250000000</Bucket>").replace(
        "<ConfirmationRequired>false</ConfirmationRequired>",
        "",
      ),
    );
    assert.deepEqual(spec.report, {
      enabled: true,
      bucket: { arn: "reports-1250000000", bucket: "reports-1250000000" },
      format: "Report_CSV_V1",
      scope: "AllTasks",
    });
    assert.equal(spec.confirmationRequired, false);
    assert.equal(
      parse(mutate("<ConfirmationRequired>false<", "<ConfirmationRequired>true<")).confirmationRequired,
      true,
    );
  });

  it("accepts the boundary lengths", () => {
    const spec = parse(
      mutate(/<ClientRequestToken>[^<]*</, `<ClientRequestToken>${"t".repeat(64)}<`)
        .replace("<Description>example-job<", `<Description>${"é".repeat(128)}<`)
        .replace("<Priority>10<", "<Priority>2147483647<"),
    );
    assert.equal(spec.clientRequestToken.length, 64);
    assert.equal(spec.priority, 2147483647);
    assert.equal(parse(mutate("<Priority>10<", "<Priority>0<")).priority, 0);
    assert.equal(parse(mutate("<Description>example-job<", "<Description><")).description, "");
  });

  const invalid: [string, () => string, DomainErrorKind, RegExp | string][] = [
    ["an empty body", () => "", "InvalidRequest", "The request body is empty."],
    ["a body that is not XML", () => "not xml", "MalformedXML", /exactly one root element/],
    ["an unclosed tag", () => SEED_CREATE_JOB_BODY.replace("</Priority>", ""), "MalformedXML", /not well-formed/],
    [
      "a DOCTYPE",
      () =>
        `<!DOCTYPE CreateJobRequest [<!ENTITY p "10">]>${SEED_CREATE_JOB_BODY.replace("<Priority>10<", "<Priority>&p;<")}`,
      "MalformedXML",
      /DOCTYPE/,
    ],
    ["an undefined entity", () => mutate("<Priority>10<", "<Priority>&ten;<"), "MalformedXML", /undefined entity/],
    [
      "a wrong root",
      () => SEED_CREATE_JOB_BODY.replace(/CreateJobRequest>/g, "CreateJob>"),
      "MalformedXML",
      /root element must be CreateJobRequest/,
    ],
    ["Priority 10.5", () => mutate("<Priority>10<", "<Priority>10.5<"), "InvalidRequest", PRIORITY_MESSAGE],
    ["Priority -1", () => mutate("<Priority>10<", "<Priority>-1<"), "InvalidRequest", PRIORITY_MESSAGE],
    ["Priority 2147483648", () => mutate("<Priority>10<", "<Priority>2147483648<"), "InvalidRequest", PRIORITY_MESSAGE],
    ["Priority 1e3", () => mutate("<Priority>10<", "<Priority>1e3<"), "InvalidRequest", PRIORITY_MESSAGE],
    ["Priority empty", () => mutate("<Priority>10<", "<Priority><"), "InvalidRequest", PRIORITY_MESSAGE],
    [
      "Priority huge",
      () => mutate("<Priority>10<", `<Priority>${"9".repeat(5000)}<`),
      "InvalidRequest",
      PRIORITY_MESSAGE,
    ],
    ["Priority missing", () => mutate("<Priority>10</Priority>", ""), "InvalidRequest", PRIORITY_MESSAGE],
    [
      "Priority twice",
      () => mutate("<Priority>10</Priority>", "<Priority>10</Priority><Priority>10</Priority>"),
      "MalformedXML",
      /Priority appears more than once/,
    ],
    [
      "ClientRequestToken missing",
      () => mutate(/<ClientRequestToken>[^<]*<\/ClientRequestToken>/, ""),
      "InvalidArgument",
      /CreateJobRequest\/ClientRequestToken/,
    ],
    [
      "ClientRequestToken empty",
      () => mutate(/<ClientRequestToken>[^<]*</, "<ClientRequestToken><"),
      "InvalidArgument",
      /ClientRequestToken must not be empty/,
    ],
    [
      "ClientRequestToken of 65 bytes",
      () => mutate(/<ClientRequestToken>[^<]*</, `<ClientRequestToken>${"t".repeat(65)}<`),
      "InvalidArgument",
      /at most 64 bytes/,
    ],
    [
      "Description of 257 bytes",
      () => mutate("<Description>example-job<", `<Description>${"d".repeat(257)}<`),
      "InvalidArgument",
      /Description must be at most 256 bytes/,
    ],
    [
      "Description of a megabyte",
      () => mutate("<Description>example-job<", `<Description>${"d".repeat(1 << 20)}<`),
      "InvalidArgument",
      /Description/,
    ],
    [
      "ConfirmationRequired yes",
      () => mutate("<ConfirmationRequired>false<", "<ConfirmationRequired>yes<"),
      "InvalidArgument",
      /ConfirmationRequired must be true or false/,
    ],
    ["RoleArn missing", () => mutate(/<RoleArn>.*<\/RoleArn>/, ""), "InvalidArgument", /CreateJobRequest\/RoleArn/],
    [
      "an unknown element",
      () => mutate("<Priority>", "<Tags><member><Key>a</Key><Value>b</Value></member></Tags><Priority>"),
      "MalformedXML",
      /Unknown element CreateJobRequest\/Tags/,
    ],
    [
      "a misspelt element",
      () => mutate("</RoleArn>", "</RoleArn><Descripton>x</Descripton>"),
      "MalformedXML",
      /CreateJobRequest\/Descripton/,
    ],
    ["text among the elements", () => mutate("<Priority>", "stray<Priority>"), "MalformedXML", /must not contain text/],
    [
      "Manifest missing",
      () => mutate(/<Manifest>.*<\/Manifest>/, ""),
      "MalformedXML",
      /XML Manifest field.*CreateJobRequest\/Manifest/,
    ],
    [
      "a bad manifest Format",
      () => mutate("COSBatchOperations_CSV_V1", "CSV"),
      "MalformedXML",
      /XML Manifest field.*Spec\/Format must be one of/,
    ],
    [
      "manifest Fields without Key",
      () => mutate("<member>Key</member>", ""),
      "MalformedXML",
      /XML Manifest field.*Bucket and Key/,
    ],
    [
      "a bad manifest field name",
      () => mutate("<member>Key</member>", "<member>Name</member>"),
      "MalformedXML",
      /Fields\/member must be one of/,
    ],
    [
      "a CSV manifest without Fields",
      () => mutate(/<Fields>.*<\/Fields>/, ""),
      "MalformedXML",
      /Fields for a CSV manifest/,
    ],
    [
      "a manifest ObjectArn without a key",
      () => mutate(/<ObjectArn>[^<]*</, "<ObjectArn>qcs::cos:ap-chengdu::sourcebucket-1250000000<"),
      "MalformedXML",
      /XML Manifest field.*no object key/,
    ],
    [
      "a manifest ObjectArn of another service",
      () => mutate(/<ObjectArn>[^<]*</, "<ObjectArn>arn:aws:iam:::role/x<"),
      "MalformedXML",
      /not a recognised object ARN/,
    ],
    ["an empty ETag", () => mutate(/<ETag>[^<]*</, "<ETag><"), "MalformedXML", /ETag must not be empty/],
    ["Location missing", () => mutate(/<Location>.*<\/Location>/, ""), "MalformedXML", /Manifest\/Location/],
    [
      "Operation missing",
      () => mutate(/<Operation>.*<\/Operation>/, ""),
      "MalformedXML",
      /XML Operation field.*CreateJobRequest\/Operation/,
    ],
    ["no operation", () => withOperation(""), "MalformedXML", /exactly one operation; it contains none/],
    [
      "two operations",
      () => withOperation("<COSDeleteObject/><COSDeleteObjectTagging/>"),
      "MalformedXML",
      /exactly one operation; it contains COSDeleteObject, COSDeleteObjectTagging/,
    ],
    [
      "the same operation twice",
      () => withOperation("<COSDeleteObject/><COSDeleteObject/>"),
      "MalformedXML",
      /exactly one operation/,
    ],
    [
      "an unknown operation",
      () => withOperation("<COSLambdaInvoke/>"),
      "MalformedXML",
      /Unknown operation CreateJobRequest\/Operation\/COSLambdaInvoke/,
    ],
    [
      "an S3 operation name",
      () => withOperation("<S3PutObjectCopy><TargetResource>arn:aws:s3:::b-1</TargetResource></S3PutObjectCopy>"),
      "MalformedXML",
      /Unknown operation/,
    ],
    ["an output-only extension", () => withOperation("<COSInvokeFunction/>"), "MalformedXML", /Unknown operation/],
    ["text in the Operation", () => withOperation("x<COSDeleteObject/>"), "MalformedXML", /must not contain text/],
    [
      "content in COSDeleteObject",
      () => withOperation("<COSDeleteObject><Quiet>true</Quiet></COSDeleteObject>"),
      "MalformedXML",
      /Unknown element .*COSDeleteObject\/Quiet/,
    ],
    [
      "text in COSDeleteObject",
      () => withOperation("<COSDeleteObject>yes</COSDeleteObject>"),
      "MalformedXML",
      /COSDeleteObject must not contain text/,
    ],
    [
      "TargetResource missing",
      () => withOperation("<COSPutObjectCopy/>"),
      "MalformedXML",
      /COSPutObjectCopy\/TargetResource/,
    ],
    [
      "TargetResource not a bucket",
      () =>
        withOperation(
          "<COSPutObjectCopy><TargetResource>qcs::cos:ap-chengdu::Bad_Bucket</TargetResource></COSPutObjectCopy>",
        ),
      "MalformedXML",
      /does not name a valid bucket/,
    ],
    [
      "TargetResource with a path escape",
      () => withOperation("<COSPutObjectCopy><TargetResource>..</TargetResource></COSPutObjectCopy>"),
      "MalformedXML",
      /valid bucket/,
    ],
    [
      "a bad MetadataDirective",
      () =>
        withOperation(
          "<COSPutObjectCopy><TargetResource>b-1</TargetResource><MetadataDirective>REPLACE</MetadataDirective></COSPutObjectCopy>",
        ),
      "MalformedXML",
      /MetadataDirective must be one of Copy, Replaced, Add/,
    ],
    [
      "TaggingDirective Replaced without tags",
      () =>
        withOperation(
          "<COSPutObjectCopy><TargetResource>b-1</TargetResource><TaggingDirective>Replaced</TaggingDirective></COSPutObjectCopy>",
        ),
      "MalformedXML",
      /NewObjectTagging is required/,
    ],
    [
      "prefixes without PrefixReplace",
      () =>
        withOperation(
          "<COSPutObjectCopy><TargetResource>b-1</TargetResource><TargetKeyPrefix>x/</TargetKeyPrefix></COSPutObjectCopy>",
        ),
      "MalformedXML",
      /need PrefixReplace/,
    ],
    [
      "a bad constraint time",
      () =>
        withOperation(
          "<COSPutObjectCopy><TargetResource>b-1</TargetResource><ModifiedSinceConstraint>yesterday</ModifiedSinceConstraint></COSPutObjectCopy>",
        ),
      "MalformedXML",
      /ModifiedSinceConstraint must be an ISO-8601 time/,
    ],
    [
      "an impossible date",
      () =>
        withOperation(
          "<COSPutObjectCopy><TargetResource>b-1</TargetResource><ModifiedSinceConstraint>2019-02-30T00:00:00Z</ModifiedSinceConstraint></COSPutObjectCopy>",
        ),
      "MalformedXML",
      /ModifiedSinceConstraint/,
    ],
    [
      "a header-injecting metadata value",
      () =>
        withOperation(
          "<COSPutObjectCopy><TargetResource>b-1</TargetResource><NewObjectMetadata><ContentType>text/plain&#13;&#10;X-Evil: 1</ContentType></NewObjectMetadata></COSPutObjectCopy>",
        ),
      "MalformedXML",
      /ContentType must not contain control characters/,
    ],
    [
      "a user metadata key that is not a token",
      () =>
        withOperation(
          "<COSPutObjectCopy><TargetResource>b-1</TargetResource><NewObjectMetadata><UserMetadata><member><Key>a b</Key><Value>1</Value></member></UserMetadata></NewObjectMetadata></COSPutObjectCopy>",
        ),
      "MalformedXML",
      /HTTP header token/,
    ],
    [
      "user metadata in AWS map form",
      () =>
        withOperation(
          "<COSPutObjectCopy><TargetResource>b-1</TargetResource><NewObjectMetadata><UserMetadata><entry><key>a</key><value>1</value></entry></UserMetadata></NewObjectMetadata></COSPutObjectCopy>",
        ),
      "MalformedXML",
      /UserMetadata\/entry/,
    ],
    [
      "a bad SSEAlgorithm",
      () =>
        withOperation(
          "<COSPutObjectCopy><TargetResource>b-1</TargetResource><NewObjectMetadata><SSEAlgorithm>KMS</SSEAlgorithm></NewObjectMetadata></COSPutObjectCopy>",
        ),
      "MalformedXML",
      /SSEAlgorithm must be one of AES256/,
    ],
    [
      "a bad grant permission",
      () =>
        withOperation(
          "<COSPutObjectCopy><TargetResource>b-1</TargetResource><AccessControlGrants><COSGrant><Grantee><Identifier>u</Identifier><TypeIdentifier>ID</TypeIdentifier></Grantee><Permission>ALL</Permission></COSGrant></AccessControlGrants></COSPutObjectCopy>",
        ),
      "MalformedXML",
      /Permission must be one of/,
    ],
    [
      "ExpirationInDays 0",
      () =>
        withOperation(
          "<COSInitiateRestoreObject><ExpirationInDays>0</ExpirationInDays><JobTier>Bulk</JobTier></COSInitiateRestoreObject>",
        ),
      "MalformedXML",
      /ExpirationInDays must be an integer between 1 and 365/,
    ],
    [
      "ExpirationInDays 366",
      () =>
        withOperation(
          "<COSInitiateRestoreObject><ExpirationInDays>366</ExpirationInDays><JobTier>Bulk</JobTier></COSInitiateRestoreObject>",
        ),
      "MalformedXML",
      /between 1 and 365/,
    ],
    [
      "ExpirationInDays ten",
      () =>
        withOperation(
          "<COSInitiateRestoreObject><ExpirationInDays>ten</ExpirationInDays><JobTier>Bulk</JobTier></COSInitiateRestoreObject>",
        ),
      "MalformedXML",
      /between 1 and 365/,
    ],
    [
      "JobTier Expedited",
      () =>
        withOperation(
          "<COSInitiateRestoreObject><ExpirationInDays>1</ExpirationInDays><JobTier>Expedited</JobTier></COSInitiateRestoreObject>",
        ),
      "MalformedXML",
      /JobTier must be one of Bulk, Standard/,
    ],
    [
      "JobTier missing",
      () =>
        withOperation("<COSInitiateRestoreObject><ExpirationInDays>1</ExpirationInDays></COSInitiateRestoreObject>"),
      "MalformedXML",
      /JobTier/,
    ],
    [
      "TaggingDirective Copy on COSPutObjectTagging",
      () =>
        withOperation("<COSPutObjectTagging><TaggingDirective>Copy</TaggingDirective><TagSet/></COSPutObjectTagging>"),
      "MalformedXML",
      /TaggingDirective must be one of Replaced, Add/,
    ],
    ["TagSet missing", () => withOperation("<COSPutObjectTagging/>"), "MalformedXML", /TagSet/],
    [
      "Add with no tags",
      () =>
        withOperation("<COSPutObjectTagging><TaggingDirective>Add</TaggingDirective><TagSet/></COSPutObjectTagging>"),
      "MalformedXML",
      /at least 1/,
    ],
    [
      "eleven tags",
      () =>
        withOperation(
          `<COSPutObjectTagging><TagSet>${Array.from({ length: 11 }, (_, i) => `<COSTag><Key>k${i}</Key><Value>v</Value></COSTag>`).join("")}</TagSet></COSPutObjectTagging>`,
        ),
      "MalformedXML",
      /at most 10/,
    ],
    [
      "a repeated tag key",
      () =>
        withOperation(
          "<COSPutObjectTagging><TagSet><COSTag><Key>a</Key><Value>1</Value></COSTag><COSTag><Key>a</Key><Value>2</Value></COSTag></TagSet></COSPutObjectTagging>",
        ),
      "MalformedXML",
      /key "a" more than once/,
    ],
    [
      "a tag key of 129 bytes",
      () =>
        withOperation(
          `<COSPutObjectTagging><TagSet><COSTag><Key>${"k".repeat(129)}</Key><Value>1</Value></COSTag></TagSet></COSPutObjectTagging>`,
        ),
      "MalformedXML",
      /Key must be at most 128 bytes/,
    ],
    [
      "a tag without a Value",
      () => withOperation("<COSPutObjectTagging><TagSet><COSTag><Key>a</Key></COSTag></TagSet></COSPutObjectTagging>"),
      "MalformedXML",
      /COSTag\/Value/,
    ],
    [
      "COSPutObjectAcl with both forms",
      () =>
        withOperation(
          "<COSPutObjectAcl><CannedAccessControlList>private</CannedAccessControlList><AccessControlGrants/></COSPutObjectAcl>",
        ),
      "MalformedXML",
      /exactly one of/,
    ],
    ["COSPutObjectAcl with neither", () => withOperation("<COSPutObjectAcl/>"), "MalformedXML", /exactly one of/],
    [
      "Report missing",
      () => mutate(/<Report>.*<\/Report>/, ""),
      "MalformedXML",
      /XML Report field.*CreateJobRequest\/Report/,
    ],
    ["Report Enabled missing", () => withReport("<Bucket>b-1</Bucket>"), "MalformedXML", /Report\/Enabled/],
    ["Report Enabled 1", () => withReport("<Enabled>1</Enabled>"), "MalformedXML", /Enabled must be true or false/],
    [
      "an enabled report without a bucket",
      () => withReport("<Enabled>true</Enabled>"),
      "MalformedXML",
      /Report\/Bucket/,
    ],
    [
      "the AWS report format",
      () => withReport("<Enabled>true</Enabled><Bucket>b-1</Bucket><Format>Report_CSV_20180820</Format>"),
      "MalformedXML",
      /Format must be one of Report_CSV_V1/,
    ],
    [
      "a report Prefix of 257 bytes",
      () => withReport(`<Enabled>true</Enabled><Bucket>b-1</Bucket><Prefix>${"p".repeat(257)}</Prefix>`),
      "MalformedXML",
      /Prefix must be at most 256 bytes/,
    ],
    [
      "a bad ReportScope",
      () => withReport("<Enabled>true</Enabled><Bucket>b-1</Bucket><ReportScope>Some</ReportScope>"),
      "MalformedXML",
      /ReportScope must be one of AllTasks, FailedTasksOnly/,
    ],
  ];
  for (const [name, body, kind, message] of invalid) {
    it(`rejects ${name} with ${kind}`, () => assertDomainError(() => parse(body()), kind, message));
  }
});

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
      operation: { kind: "PutObjectCopy", targetResource: { arn: "b-1", bucket: "b-1" } },
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

describe("COS errors", () => {
  const table: [DomainErrorKind, number, string][] = [
    ["InvalidArgument", 400, "InvalidArgument"],
    ["InvalidRequest", 400, "InvalidRequest"],
    ["MalformedXML", 400, "MalformedXML"],
    ["NoSuchJob", 404, "NoSuchJob"],
    ["IllegalStatusChange", 400, "InvalidRequest"],
    ["Idempotency", 400, "InvalidRequest"],
    ["TooManyJobs", 500, "TooManyJobs"],
    ["ServiceUnavailable", 500, "ServiceUnavailable"],
    ["InternalError", 500, "InternalError"],
    ["AccessDenied", 403, "AccessDenied"],
    ["MissingSecurityHeader", 403, "AccessDenied"],
    ["InvalidAccessKeyId", 403, "InvalidAccessKeyId"],
    ["SignatureDoesNotMatch", 403, "SignatureDoesNotMatch"],
    ["RequestTimeTooSkewed", 403, "RequestTimeTooSkewed"],
    ["ExpiredToken", 403, "AccessDenied"],
    ["EntityTooLarge", 400, "EntityTooLarge"],
    ["MethodNotAllowed", 405, "MethodNotAllowed"],
  ];
  for (const [kind, status, code] of table) {
    it(`maps ${kind} to ${status} ${code}`, () => {
      const e = cosErrorFor(new DomainError(kind, "m"));
      assert.equal(e.status, status);
      assert.equal(e.code, code);
    });
  }

  it("uses COS's own words for duplicates and expiry", () => {
    assert.equal(cosErrorFor(new DomainError("Idempotency", "x")).message, "Duplicate request.");
    assert.equal(cosErrorFor(new DomainError("ExpiredToken", "x")).message, "Request has expired");
  });

  it("renders the COS error body", () => {
    const xml = renderCosError(
      { status: 404, code: "NoSuchJob", message: "The specified job does not exist" },
      "h/jobs/x",
      "rid",
      "tid",
    );
    assert.equal(
      xml,
      `${DECL}<Error><Code>NoSuchJob</Code><Message>The specified job does not exist</Message><Resource>h/jobs/x</Resource><RequestId>rid</RequestId><TraceId>tid</TraceId></Error>`,
    );
  });
});
