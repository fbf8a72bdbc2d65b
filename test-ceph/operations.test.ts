/**
 * Every other operation on Ceph's RADOS Gateway through objbatch's S3 Control API: delete (with VersionId on a
 * versioned bucket), tagging put/add/delete, ACLs, legal hold and retention on an Object Lock bucket, checksums,
 * and restore, which radosgw does not implement: its tasks must fail with the gateway's answer in the report.
 *
 * S3DeleteObject and S3AddObjectTagging are objbatch's extensions, which the AWS SDK can not send; those jobs go
 * as CreateJob XML signed with SigV4 (test/helpers/s3control-client.ts signedCall).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { AwsCrc32c } from "@aws-crypto/crc32c";
import {
  GetObjectAclCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectTaggingCommand,
  RestoreObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { ROOT_S3CONTROL, signedCall } from "../test/helpers/s3control-client.js";
import {
  bucketNamer,
  type CephApp,
  cephGateway,
  createBuckets,
  errorName,
  getText,
  putManifest,
  putObjects,
  readReport,
  removeBuckets,
  reportConfig,
  startCephApp,
} from "./helpers.js";

const name = bucketNamer("ops");
const DATA = name("data");
const VERS = name("versioned");
const LOCK = name("locked");
const REPORTS = name("reports");

describe("operations on radosgw", () => {
  let s3: S3Client;
  let ceph: CephApp;
  before(async () => {
    s3 = await cephGateway();
    await createBuckets(s3, [DATA, REPORTS]);
    await createBuckets(s3, [VERS], { versioned: true });
    await createBuckets(s3, [LOCK], { objectLock: true });
    ceph = await startCephApp();
  });
  after(async () => {
    await ceph?.dispose();
    // A legal hold would keep the lock bucket alive; lift it so the bucket can be removed.
    await s3
      ?.send(new PutObjectLegalHoldCommand({ Bucket: LOCK, Key: "held.txt", LegalHold: { Status: "OFF" } }))
      .catch(() => {});
    await removeBuckets(s3, [DATA, VERS, LOCK, REPORTS]);
    s3?.destroy();
  });

  /** A CreateJob for an operation the AWS SDK does not model, as XML signed with SigV4. */
  async function createRawJob(operationXml: string, manifest: Awaited<ReturnType<typeof putManifest>>, prefix: string) {
    const body = `<?xml version="1.0" encoding="UTF-8"?>
<CreateJobRequest xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/">
  <ClientRequestToken>${prefix}-${Date.now()}-${Math.random()}</ClientRequestToken>
  <Operation>${operationXml}</Operation>
  <Report><Bucket>arn:aws:s3:::${REPORTS}</Bucket><Enabled>true</Enabled><Format>Report_CSV_20180820</Format>
    <Prefix>${prefix}</Prefix><ReportScope>AllTasks</ReportScope></Report>
  <Manifest>
    <Spec><Format>${manifest.Spec.Format}</Format><Fields>${manifest.Spec.Fields.map((f) => `<member>${f}</member>`).join("")}</Fields></Spec>
    <Location><ObjectArn>${manifest.Location.ObjectArn}</ObjectArn><ETag>${manifest.Location.ETag}</ETag></Location>
  </Manifest>
  <Priority>10</Priority>
  <RoleArn>arn:aws:iam::123456789012:role/batch-operations</RoleArn>
</CreateJobRequest>`;
    const r = await signedCall(ceph.app.url, {
      method: "POST",
      path: `/v20180820/jobs`,
      headers: { "x-amz-account-id": ROOT_S3CONTROL.accountId, "content-type": "application/xml" },
      body,
    });
    assert.equal(r.status, 200, r.text);
    const id = /<JobId>([^<]+)<\/JobId>/.exec(r.text)?.[1];
    assert.ok(id, r.text);
    return id;
  }

  async function runToComplete(jobId: string) {
    const job = await ceph.waitForJob(jobId);
    assert.equal(job.Status, "Complete", JSON.stringify(job));
    return job;
  }

  it("deletes one version by VersionId, and the latest (a delete marker) without one", async () => {
    const v1 = await s3.send(new PutObjectCommand({ Bucket: VERS, Key: "doc.txt", Body: "one" }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket: VERS, Key: "doc.txt", Body: "two" }));
    await s3.send(new PutObjectCommand({ Bucket: VERS, Key: "other.txt", Body: "other" }));
    const byVersion = await putManifest(s3, DATA, "m/delete-version.csv", [
      { bucket: VERS, key: "doc.txt", versionId: v1.VersionId },
    ]);
    const first = await createRawJob("<S3DeleteObject/>", byVersion, "delete-version");
    await runToComplete(first);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: VERS, Prefix: "doc.txt" }));
    assert.deepEqual(
      versions.Versions?.map((v) => v.VersionId),
      [v2.VersionId],
      "only the listed version is gone",
    );
    assert.equal(await getText(s3, VERS, "doc.txt"), "two");
    const report = await readReport(s3, REPORTS, "delete-version", first);
    assert.deepEqual(
      report.rows.map((r) => [r.key, r.versionId, r.status]),
      [["doc.txt", v1.VersionId, "succeeded"]],
    );
    assert.match(report.rows[0]!.httpStatus, /^20[04]$/);

    const latest = await putManifest(s3, DATA, "m/delete-latest.csv", [{ bucket: VERS, key: "other.txt" }]);
    const second = await createRawJob("<S3DeleteObject/>", latest, "delete-latest");
    await runToComplete(second);
    assert.equal(await errorName(s3.send(new HeadObjectCommand({ Bucket: VERS, Key: "other.txt" }))), "NotFound");
    const after = await s3.send(new ListObjectVersionsCommand({ Bucket: VERS, Prefix: "other.txt" }));
    assert.equal(after.Versions?.length, 1, "the version is kept under a delete marker");
    assert.equal(after.DeleteMarkers?.length, 1);
  });

  it("replaces, adds to and deletes object tags", async () => {
    const keys = ["t/1.txt", "t/2 two.txt"];
    await putObjects(s3, DATA, keys);
    for (const Key of keys) {
      await s3.send(
        new PutObjectTaggingCommand({ Bucket: DATA, Key, Tagging: { TagSet: [{ Key: "old", Value: "1" }] } }),
      );
    }
    const manifest = await putManifest(
      s3,
      DATA,
      "m/tags.csv",
      keys.map((key) => ({ bucket: DATA, key })),
    );
    const tagsOf = async (Key: string) =>
      ((await s3.send(new GetObjectTaggingCommand({ Bucket: DATA, Key }))).TagSet ?? [])
        .map((t) => `${t.Key}=${t.Value}`)
        .sort();

    const put = await ceph.createJob({
      Manifest: manifest,
      Operation: { S3PutObjectTagging: { TagSet: [{ Key: "project", Value: "blue" }] } },
      Report: reportConfig(REPORTS, "tags-put"),
    });
    await runToComplete(put);
    for (const k of keys) assert.deepEqual(await tagsOf(k), ["project=blue"]);

    const add = await createRawJob(
      "<S3AddObjectTagging><TagSet><member><Key>team</Key><Value>storage</Value></member></TagSet></S3AddObjectTagging>",
      manifest,
      "tags-add",
    );
    await runToComplete(add);
    for (const k of keys) assert.deepEqual(await tagsOf(k), ["project=blue", "team=storage"]);

    const del = await ceph.createJob({
      Manifest: manifest,
      Operation: { S3DeleteObjectTagging: {} },
      Report: reportConfig(REPORTS, "tags-delete"),
    });
    await runToComplete(del);
    for (const k of keys) assert.deepEqual(await tagsOf(k), []);
    const report = await readReport(s3, REPORTS, "tags-delete", del);
    assert.deepEqual(
      report.rows.map((r) => r.status),
      ["succeeded", "succeeded"],
    );
  });

  it("sets canned ACLs and explicit grants", async () => {
    await putObjects(s3, DATA, ["acl/a.txt"]);
    const manifest = await putManifest(s3, DATA, "m/acl.csv", [{ bucket: DATA, key: "acl/a.txt" }]);
    const canned = await ceph.createJob({
      Manifest: manifest,
      Operation: { S3PutObjectAcl: { AccessControlPolicy: { CannedAccessControlList: "public-read" } } },
      Report: reportConfig(REPORTS, "acl-canned"),
    });
    await runToComplete(canned);
    const allUsers = "http://acs.amazonaws.com/groups/global/AllUsers";
    let acl = await s3.send(new GetObjectAclCommand({ Bucket: DATA, Key: "acl/a.txt" }));
    assert.ok(
      acl.Grants?.some((g) => g.Grantee?.URI === allUsers && g.Permission === "READ"),
      JSON.stringify(acl.Grants),
    );
    const owner = acl.Owner!;
    const grants = await ceph.createJob({
      Manifest: manifest,
      Operation: {
        S3PutObjectAcl: {
          AccessControlPolicy: {
            AccessControlList: {
              Owner: { ID: owner.ID, DisplayName: owner.DisplayName },
              Grants: [
                { Grantee: { TypeIdentifier: "id", Identifier: owner.ID }, Permission: "FULL_CONTROL" },
                {
                  Grantee: {
                    TypeIdentifier: "uri",
                    Identifier: "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
                  },
                  Permission: "READ_ACP",
                },
              ],
            },
          },
        },
      },
      Report: reportConfig(REPORTS, "acl-grants"),
    });
    await runToComplete(grants);
    acl = await s3.send(new GetObjectAclCommand({ Bucket: DATA, Key: "acl/a.txt" }));
    const summary = (acl.Grants ?? []).map((g) => `${g.Grantee?.ID ?? g.Grantee?.URI}:${g.Permission}`).sort();
    assert.deepEqual(summary, [
      "http://acs.amazonaws.com/groups/global/AuthenticatedUsers:READ_ACP",
      `${owner.ID}:FULL_CONTROL`,
    ]);
  });

  it("puts legal holds and retention on an Object Lock bucket; a held version can not be deleted", async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: LOCK, Key: "held.txt", Body: "keep me" }));
    await s3.send(new PutObjectCommand({ Bucket: LOCK, Key: "retained.txt", Body: "keep me longer" }));
    const held = await putManifest(s3, DATA, "m/held.csv", [{ bucket: LOCK, key: "held.txt" }]);
    const hold = await ceph.createJob({
      Manifest: held,
      Operation: { S3PutObjectLegalHold: { LegalHold: { Status: "ON" } } },
      Report: reportConfig(REPORTS, "legal-hold"),
    });
    await runToComplete(hold);
    const status = await s3.send(new GetObjectLegalHoldCommand({ Bucket: LOCK, Key: "held.txt" }));
    assert.equal(status.LegalHold?.Status, "ON");

    const versioned = await putManifest(s3, DATA, "m/held-version.csv", [
      { bucket: LOCK, key: "held.txt", versionId: put.VersionId },
    ]);
    const blocked = await createRawJob("<S3DeleteObject/>", versioned, "held-delete");
    await runToComplete(blocked);
    const rows = (await readReport(s3, REPORTS, "held-delete", blocked)).rows;
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.status, "failed");
    assert.equal(rows[0]!.httpStatus, "403");
    assert.equal(rows[0]!.errorCode, "AccessDenied");
    assert.equal(await getText(s3, LOCK, "held.txt", put.VersionId), "keep me");

    const release = await ceph.createJob({
      Manifest: held,
      Operation: { S3PutObjectLegalHold: { LegalHold: { Status: "OFF" } } },
      Report: { Enabled: false },
    });
    await runToComplete(release);
    assert.equal(
      (await s3.send(new GetObjectLegalHoldCommand({ Bucket: LOCK, Key: "held.txt" }))).LegalHold?.Status,
      "OFF",
    );

    const until = new Date(Date.now() + 24 * 3600 * 1000);
    until.setUTCMilliseconds(0);
    const retained = await putManifest(s3, DATA, "m/retained.csv", [{ bucket: LOCK, key: "retained.txt" }]);
    const retention = await ceph.createJob({
      Manifest: retained,
      Operation: { S3PutObjectRetention: { Retention: { Mode: "GOVERNANCE", RetainUntilDate: until } } },
      Report: reportConfig(REPORTS, "retention"),
    });
    await runToComplete(retention);
    const r = await s3.send(new GetObjectRetentionCommand({ Bucket: LOCK, Key: "retained.txt" }));
    assert.equal(r.Retention?.Mode, "GOVERNANCE");
    assert.equal(r.Retention?.RetainUntilDate?.getTime(), until.getTime());
  });

  it("computes CRC32C, SHA256 and MD5 checksums equal to the object's bytes", async () => {
    const bodies: Record<string, Buffer> = {
      "sum/empty": Buffer.alloc(0),
      "sum/text.txt": Buffer.from("The quick brown fox jumps over the lazy dog"),
      "sum/bin": Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) & 0xff)),
    };
    for (const [Key, Body] of Object.entries(bodies)) await s3.send(new PutObjectCommand({ Bucket: DATA, Key, Body }));
    const manifest = await putManifest(
      s3,
      DATA,
      "m/sums.csv",
      Object.keys(bodies).map((key) => ({ bucket: DATA, key })),
    );
    const expected = {
      CRC32C: async (b: Buffer) => {
        const h = new AwsCrc32c();
        h.update(b);
        return Buffer.from(await h.digest()).toString("hex");
      },
      SHA256: async (b: Buffer) => createHash("sha256").update(b).digest("hex"),
      MD5: async (b: Buffer) => createHash("md5").update(b).digest("hex"),
    };
    for (const [algorithm, digest] of Object.entries(expected)) {
      const jobId = await ceph.createJob({
        Manifest: manifest,
        Operation: {
          S3ComputeObjectChecksum: {
            ChecksumAlgorithm: algorithm as "CRC32C",
            ChecksumType: "FULL_OBJECT",
          },
        },
        Report: reportConfig(REPORTS, `sum-${algorithm}`),
      });
      await runToComplete(jobId);
      const rows = (await readReport(s3, REPORTS, `sum-${algorithm}`, jobId)).rows;
      assert.equal(rows.length, 3);
      for (const row of rows) {
        assert.equal(row.status, "succeeded", JSON.stringify(row));
        const message = JSON.parse(row.message) as { algorithm: string; hex: string };
        assert.equal(message.algorithm, algorithm);
        assert.equal(message.hex, await digest(bodies[row.key]!), `${algorithm} of ${row.key}`);
      }
    }
  });

  it("restore: radosgw has no RestoreObject, so every task fails with the gateway's own answer", async () => {
    await putObjects(s3, DATA, ["cold/a", "cold/b"]);
    // What the gateway answers a RestoreObject itself, for comparison with the report.
    let direct: { name: string; status?: number } = { name: "ok" };
    try {
      await s3.send(new RestoreObjectCommand({ Bucket: DATA, Key: "cold/a", RestoreRequest: { Days: 1 } }));
    } catch (e) {
      direct = {
        name: (e as Error).name,
        status: (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode,
      };
    }
    assert.notEqual(direct.name, "ok", "radosgw 16.2 does not restore objects");
    const manifest = await putManifest(s3, DATA, "m/restore.csv", [
      { bucket: DATA, key: "cold/a" },
      { bucket: DATA, key: "cold/b" },
    ]);
    const jobId = await ceph.createJob({
      Manifest: manifest,
      Operation: { S3InitiateRestoreObject: { ExpirationInDays: 1, GlacierJobTier: "BULK" } },
      Report: reportConfig(REPORTS, "restore"),
    });
    const job = await ceph.waitForJob(jobId);
    // Two failures are below the job failure threshold (D7): the job completes, its tasks failed.
    assert.equal(job.Status, "Complete", JSON.stringify(job));
    assert.equal(job.ProgressSummary?.NumberOfTasksFailed, 2);
    const rows = (await readReport(s3, REPORTS, "restore", jobId)).rows;
    assert.equal(rows.length, 2);
    for (const row of rows) {
      assert.equal(row.status, "failed", JSON.stringify(row));
      // radosgw 16.2 answers 501 NotImplemented; the report carries whatever the gateway said.
      assert.equal(row.httpStatus, String(direct.status), JSON.stringify(row));
      assert.equal(row.errorCode, direct.name, JSON.stringify(row));
    }
  });
});
