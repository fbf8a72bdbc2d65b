/**
 * S3 Control CreateJob and PutJobTagging bodies -> canonical values (create-job-request.ts): every top-level
 * element, the manifest and the report, defaults, and the bodies refused. Operations: operation.test.ts; manifest
 * generators: manifest-generator.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  parsePutJobTaggingRequest,
  parseS3ControlCreateJobRequest,
} from "../../../../src/api/dialects/s3control/create-job-request.js";
import { renderManifestGenerator } from "../../../../src/api/dialects/s3control/manifest-generator.js";
import { toXml } from "../../../../src/api/xml/build.js";
import { isDomainError } from "../../../../src/domain/errors.js";
import { assertDomainError } from "../../../helpers/assert-domain-error.js";
import { ACCOUNT, body, GENERATOR, MANIFEST, NS, OPERATIONS, REPORT } from "../../fixtures/s3control-requests.js";

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

  it("defaults ConfirmationRequired to false and a disabled report to nothing more", () => {
    const xml = body(OPERATIONS.delete!)
      .replace("<ConfirmationRequired>true</ConfirmationRequired>", "")
      .replace(REPORT, "<Report><Enabled>false</Enabled></Report>");
    const spec = parseS3ControlCreateJobRequest(xml, ACCOUNT);
    assert.equal(spec.confirmationRequired, false);
    assert.deepEqual(spec.report, { enabled: false });
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
