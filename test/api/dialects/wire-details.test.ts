/**
 * The wire details a real client can trip on, over real HTTP against a real objbatch (startTestApp, engine
 * off), with the real clients: the AWS SDK for S3 Control, requests signed by cos-nodejs-sdk-v5 and by ali-oss.
 * What the S3 Control model forbids refused with BadRequestException; PutJobTagging / DeleteJobTagging as the
 * model lists them; S3 Control's namespace on results; ListJobs maxResults=0 and trailing slashes; OSS
 * FailureReasons, statusUpdateReason and batchJobId; COS ClientRequestToken. Unknown routes: unknown-route.test.ts.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  BadRequestException,
  CreateJobCommand,
  type CreateJobCommandInput,
  DeleteJobTaggingCommand,
  GetJobTaggingCommand,
  ListJobsCommand,
  PutJobTaggingCommand,
  type S3ControlClient,
  TooManyTagsException,
} from "@aws-sdk/client-s3-control";
import { XMLParser } from "fast-xml-parser";
import { startTestApp, type TestApp } from "../../helpers/app.js";
import { cosRequest } from "../../helpers/cos-client.js";
import { ossCreateJobBody, ossRequest } from "../../helpers/oss-client.js";
import { ROOT_S3CONTROL, s3ControlClient, signedCall } from "../../helpers/s3control-client.js";
import { SEED_CREATE_JOB_BODY } from "../fixtures/cos-seeds.js";

const parser = new XMLParser({ parseTagValue: false, ignoreDeclaration: true, ignoreAttributes: false });
const ACCOUNT = ROOT_S3CONTROL.accountId;
const ROLE = "arn:aws:iam::123456789012:role/batch-operations";
const XMLNS = "http://awss3control.amazonaws.com/doc/2018-08-20/";

let app: TestApp;
let sdk: S3ControlClient;

before(async () => {
  app = await startTestApp({ runEngine: false });
  sdk = s3ControlClient(app.url, "direct");
});

after(() => app.dispose());

function jobInput(more: Partial<CreateJobCommandInput> = {}): CreateJobCommandInput {
  return {
    AccountId: ACCOUNT,
    ClientRequestToken: randomUUID(),
    Operation: { S3PutObjectTagging: { TagSet: [{ Key: "k", Value: "v" }] } },
    Report: { Enabled: false },
    Manifest: {
      Spec: { Format: "S3BatchOperations_CSV_20180820", Fields: ["Bucket", "Key"] },
      Location: { ObjectArn: "arn:aws:s3:::src/manifest.csv", ETag: "0123456789abcdef0123456789abcdef" },
    },
    Priority: 10,
    RoleArn: ROLE,
    ...more,
  };
}

async function createS3ControlJob(more: Partial<CreateJobCommandInput> = {}): Promise<string> {
  const out = await sdk.send(new CreateJobCommand(jobInput(more)));
  assert.ok(out.JobId);
  return out.JobId;
}

async function rejectsWith(promise: Promise<unknown>, type: new (...args: never[]) => Error, message: RegExp) {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof type, `${type.name} expected, got ${String(e)}`);
    assert.equal((e as unknown as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode, 400);
    assert.match((e as Error).message, message);
    return true;
  });
}

describe("S3 Control CreateJob refuses what the model forbids, with BadRequestException", () => {
  async function tokens(): Promise<number> {
    const listed = await sdk.send(new ListJobsCommand({ AccountId: ACCOUNT }));
    return listed.Jobs?.length ?? 0;
  }

  it("an invalid RoleArn, which is then not echoed back by any job", async () => {
    const before = await tokens();
    for (const roleArn of ["*****", "arn:aws:iam::12345:role/short-account", "arn:aws:s3:::not-a-role"]) {
      await rejectsWith(createS3ControlJob({ RoleArn: roleArn }), BadRequestException, /RoleArn/);
    }
    assert.equal(await tokens(), before, "no job was created");
    assert.ok(await createS3ControlJob({ RoleArn: "arn:aws-cn:iam::123456789012:role/path/to/batch" }));
  });

  it("an invalid LambdaInvoke FunctionArn; names, ARNs, versions and aliases pass", async () => {
    for (const arn of ["https://evil.example/fn", "arn:aws:lambda:us-east-1:123456789012:function:a b", "*"]) {
      await rejectsWith(
        createS3ControlJob({ Operation: { LambdaInvoke: { FunctionArn: arn } } }),
        BadRequestException,
        /FunctionArn/,
      );
    }
    for (const arn of [
      "arn:aws:lambda:us-east-1:123456789012:function:thumbnail",
      "arn:aws:lambda:us-east-1:123456789012:function:thumbnail:$LATEST",
      "arn:aws:lambda:us-gov-west-1:123456789012:function:thumbnail:prod",
      "thumbnail",
    ]) {
      assert.ok(await createS3ControlJob({ Operation: { LambdaInvoke: { FunctionArn: arn } } }), arn);
    }
  });

  it("a manifest Location without ETag", async () => {
    await rejectsWith(
      createS3ControlJob({
        Manifest: {
          Spec: { Format: "S3BatchOperations_CSV_20180820", Fields: ["Bucket", "Key"] },
          Location: { ObjectArn: "arn:aws:s3:::src/manifest.csv", ETag: undefined },
        },
      }),
      BadRequestException,
      /ETag/,
    );
  });
});

describe("S3 Control job tagging and result namespaces", () => {
  it("PutJobTagging with invalid tags answers TooManyTagsException, an exception the model lists for it", async () => {
    const jobId = await createS3ControlJob();
    for (const tags of [
      [{ Key: "bad*key", Value: "v" }],
      [{ Key: "", Value: "v" }],
      [
        { Key: "twice", Value: "a" },
        { Key: "twice", Value: "b" },
      ],
    ]) {
      await rejectsWith(
        sdk.send(new PutJobTaggingCommand({ AccountId: ACCOUNT, JobId: jobId, Tags: tags })),
        TooManyTagsException,
        /tag/i,
      );
    }
    const got = await sdk.send(new GetJobTaggingCommand({ AccountId: ACCOUNT, JobId: jobId }));
    assert.deepEqual(got.Tags ?? [], []);
  });

  it("DeleteJobTagging answers 200 with an empty body", async () => {
    const jobId = await createS3ControlJob({ Tags: [{ Key: "team", Value: "photos" }] });
    const r = await signedCall(app.url, { method: "DELETE", path: `/v20180820/jobs/${jobId}/tagging` });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, "");
    await sdk.send(new DeleteJobTaggingCommand({ AccountId: ACCOUNT, JobId: jobId }));
  });

  it("declares S3 Control's namespace on every result root", async () => {
    const jobId = await createS3ControlJob();
    const results: [string, Promise<{ status: number; text: string }>][] = [
      ["DescribeJobResult", signedCall(app.url, { path: `/v20180820/jobs/${jobId}` })],
      ["ListJobsResult", signedCall(app.url, { path: "/v20180820/jobs" })],
      [
        "UpdateJobPriorityResult",
        signedCall(app.url, { method: "POST", path: `/v20180820/jobs/${jobId}/priority`, query: { priority: "3" } }),
      ],
      ["GetJobTaggingResult", signedCall(app.url, { path: `/v20180820/jobs/${jobId}/tagging` })],
      [
        "UpdateJobStatusResult",
        signedCall(app.url, {
          method: "POST",
          path: `/v20180820/jobs/${jobId}/status`,
          query: { requestedJobStatus: "Cancelled" },
        }),
      ],
    ];
    const body = `<CreateJobRequest xmlns="${XMLNS}"><Operation><S3DeleteObjectTagging/></Operation><Report><Enabled>false</Enabled></Report><ClientRequestToken>${randomUUID()}</ClientRequestToken><Manifest><Spec><Format>S3BatchOperations_CSV_20180820</Format><Fields><member>Bucket</member><member>Key</member></Fields></Spec><Location><ObjectArn>arn:aws:s3:::src/m.csv</ObjectArn><ETag>e</ETag></Location></Manifest><Priority>1</Priority><RoleArn>${ROLE}</RoleArn></CreateJobRequest>`;
    results.push(["CreateJobResult", signedCall(app.url, { method: "POST", path: "/v20180820/jobs", body })]);
    for (const [root, pending] of results) {
      const r = await pending;
      assert.equal(r.status, 200, `${root}: ${r.text}`);
      assert.ok(r.text.includes(`<${root} xmlns="${XMLNS}">`), `${root}: ${r.text.slice(0, 120)}`);
    }
  });
});

describe("ListJobs maxResults=0 and trailing slashes", () => {
  it("S3 Control: maxResults=0 is an empty page without NextToken (the model allows 0)", async () => {
    await createS3ControlJob();
    await createS3ControlJob();
    const raw = await signedCall(app.url, { path: "/v20180820/jobs", query: { maxResults: "0" } });
    assert.equal(raw.status, 200, raw.text);
    const result = parser.parse(raw.text).ListJobsResult;
    assert.equal(result.NextToken, undefined);
    assert.equal(result.Jobs, "", `no jobs: ${raw.text}`);
    const listed = await sdk.send(new ListJobsCommand({ AccountId: ACCOUNT, MaxResults: 0 }));
    assert.deepEqual(listed.Jobs ?? [], []);
    const some = await sdk.send(new ListJobsCommand({ AccountId: ACCOUNT, MaxResults: 1 }));
    assert.equal(some.Jobs?.length, 1);
    assert.ok(some.NextToken);
  });

  it("S3 Control: /v20180820/jobs/ is /v20180820/jobs", async () => {
    const listed = await signedCall(app.url, { path: "/v20180820/jobs/" });
    assert.equal(listed.status, 200, listed.text);
    assert.ok(parser.parse(listed.text).ListJobsResult);
    const body = `<CreateJobRequest><Operation><S3DeleteObjectTagging/></Operation><Report><Enabled>false</Enabled></Report><ClientRequestToken>slash</ClientRequestToken><Manifest><Spec><Format>S3BatchOperations_CSV_20180820</Format><Fields><member>Bucket</member><member>Key</member></Fields></Spec><Location><ObjectArn>arn:aws:s3:::src/m.csv</ObjectArn><ETag>e</ETag></Location></Manifest><Priority>1</Priority><RoleArn>${ROLE}</RoleArn></CreateJobRequest>`;
    const created = await signedCall(app.url, { method: "POST", path: "/v20180820/jobs/", body });
    assert.equal(created.status, 200, created.text);
    assert.ok(parser.parse(created.text).CreateJobResult.JobId);
  });

  it("COS: /jobs/ is /jobs, and maxResults=0 is refused as COS documents (1-1000)", async () => {
    const body = SEED_CREATE_JOB_BODY.replace(/<ClientRequestToken>[^<]*</, "<ClientRequestToken>cos-slash<");
    const created = await cosRequest(app.url, "POST", "/jobs/", { body });
    assert.equal(created.status, 200, created.text);
    const jobId: string = created.xml.CreateJobResult.JobId;
    const listed = await cosRequest(app.url, "GET", "/jobs/");
    assert.equal(listed.status, 200, listed.text);
    assert.ok([listed.xml.ListJobsResult.Jobs.member].flat().some((m: { JobId: string }) => m.JobId === jobId));
    const zero = await cosRequest(app.url, "GET", "/jobs", { query: { maxResults: "0" } });
    assert.equal(zero.status, 400, zero.text);
    assert.equal(zero.xml.Error.Code, "InvalidArgument");
  });
});

describe("OSS DescribeJob, statusUpdateReason and batchJobId", () => {
  async function createOssJob(token: string): Promise<string> {
    const r = await ossRequest(app.url, { method: "POST", subres: "batchJob", body: ossCreateJobBody({ token }) });
    assert.equal(r.status, 200, r.text);
    return r.xml.CreateJobResult.JobId;
  }

  it("shows FailureReasons, empty, on a job without failures", async () => {
    const jobId = await createOssJob("oss-failure-reasons");
    const r = await ossRequest(app.url, { subres: "batchJob", query: { batchJobId: jobId }, v4: true });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.text.includes("<FailureReasons></FailureReasons>"), r.text);
  });

  it("refuses an empty statusUpdateReason", async () => {
    const jobId = await createOssJob("oss-empty-reason");
    const r = await ossRequest(app.url, {
      method: "POST",
      subres: "batchJobStatus",
      query: { batchJobId: jobId, requestedJobStatus: "Cancelled", statusUpdateReason: "" },
      v4: true,
    });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.xml.Error.Code, "InvalidArgument");
    assert.match(r.xml.Error.Message, /statusUpdateReason/);
    const described = await ossRequest(app.url, { subres: "batchJob", query: { batchJobId: jobId }, v4: true });
    assert.equal(described.xml.DescribeJobResult.Job.Status, "New");
  });

  it("answers EC 0017-00001002 for a malformed batchJobId whatever its characters", async () => {
    // V1 signs only the sub-resource, so the batchJobId can be changed after signing; each request is signed at a
    // different second, as a V1 signature is good for one state-changing request only.
    let secondsBack = 0;
    for (const rawId of ["%ZZ", "%FF%FE", "a%2", "bad%20id", "%00", "x".repeat(65)]) {
      for (const subres of ["batchJob", "batchJobStatus"]) {
        const method = subres === "batchJob" ? "GET" : "POST";
        const extra = subres === "batchJob" ? "" : "&requestedJobStatus=Cancelled";
        const r = await ossRequest(app.url, {
          method,
          subres,
          date: new Date(Date.now() - 1000 * secondsBack++),
          afterSigning: (url) => {
            url.search = `?${subres}&batchJobId=${rawId}${extra}`;
          },
        });
        assert.equal(r.status, 400, `${subres} ${rawId}: ${r.text}`);
        assert.equal(r.xml.Error.EC, "0017-00001002", `${subres} ${rawId}: ${r.text}`);
      }
    }
    const twice = await ossRequest(app.url, {
      subres: "batchJob",
      afterSigning: (url) => {
        url.search = "?batchJob&batchJobId=a&batchJobId=b";
      },
    });
    assert.equal(twice.status, 400, twice.text);
    assert.equal(twice.xml.Error.EC, "0017-00001002");
  });
});

describe("COS DescribeJob", () => {
  it("returns the job's ClientRequestToken, as COS's Job element table lists it", async () => {
    const token = `cos-token-${randomUUID()}`;
    const body = SEED_CREATE_JOB_BODY.replace(/<ClientRequestToken>[^<]*</, `<ClientRequestToken>${token}<`);
    const created = await cosRequest(app.url, "POST", "/jobs", { body });
    assert.equal(created.status, 200, created.text);
    const described = await cosRequest(app.url, "GET", `/jobs/${created.xml.CreateJobResult.JobId}`);
    assert.equal(described.status, 200, described.text);
    assert.equal(described.xml.DescribeJobResult.Job.ClientRequestToken, token);
  });
});
