/**
 * OSS CreateJob bodies -> the canonical JobSpec (create-job-request.ts): the document as a whole, Manifest and
 * KeyPrefixManifestGenerator, Report. The operation element: operation.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseOssCreateJobRequest } from "../../../../src/api/dialects/oss/create-job-request.js";
import { OssCodedError } from "../../../../src/api/dialects/oss/errors.js";
import type { JobSpec } from "../../../../src/domain/job.js";
import { assertDomainError } from "../../../helpers/assert-domain-error.js";
import { ossCreateJobBody } from "../../../helpers/oss-client.js";
import { ACCOUNT, parse } from "../../fixtures/oss-requests.js";

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
