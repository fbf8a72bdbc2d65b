/**
 * COS CreateJob bodies -> the canonical JobSpec (create-job-request.ts): the seed example, every element and its
 * defaults, bucket references (D2), boundary lengths, and every malformed body refused with its DomainError.
 * The operation element on its own: operation.test.ts.
 *
 * Over 400 lines because of one table: every malformed body COS refuses, a case per line of the reference, about
 * 420 lines; split up, its cases would lose the one place a reader checks a refusal in.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PRIORITY_MESSAGE, parseCosCreateJobRequest } from "../../../../src/api/dialects/cos/create-job-request.js";
import type { DomainErrorKind } from "../../../../src/domain/errors.js";
import type { JobSpec } from "../../../../src/domain/job.js";
import { assertDomainError } from "../../../helpers/assert-domain-error.js";
import { ACCOUNT, DECL, mutate, parse, withManifest, withOperation, withReport } from "../../fixtures/cos-requests.js";
import { SEED_CREATE_JOB_BODY } from "../../fixtures/cos-seeds.js";

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
