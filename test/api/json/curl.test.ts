/**
 * curl as a real client of the JSON API: `curl --aws-sigv4 "aws:amz:<region>:<service>" --user AK:SK`, as the
 * README shows it, creates, reads, changes and deletes jobs; answers are checked against the OpenAPI document.
 * curl 7.x signs the query in the order it is written rather than sorted, so multi-parameter queries are written
 * sorted here (and in the README). A console session through curl's cookie jar, as the README shows it, too.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import {
  ALICE,
  BOB,
  createRequest,
  DocumentChecker,
  type JsonApiServer,
  startJsonApiServer,
} from "../../helpers/json-api.js";
import { sqliteTestStore, type TestStore } from "../../helpers/stores.js";

const run = promisify(execFile);

let store: TestStore;
let server: JsonApiServer;
let checker: DocumentChecker;

before(async () => {
  store = await sqliteTestStore();
  server = await startJsonApiServer(store, [ALICE, BOB]);
  checker = await DocumentChecker.load(server.url);
});

after(async () => {
  await server.close();
  await store.dispose();
});

interface CurlAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON
  readonly json: any;
}

/** Runs curl with SigV4 as the README says, answering status, headers and body. */
async function curl(
  method: string,
  path: string,
  options: { json?: unknown; user?: typeof ALICE; sigv4?: string; args?: readonly string[] } = {},
): Promise<CurlAnswer> {
  const user = options.user ?? ALICE;
  const args = [
    "--silent",
    "--show-error",
    "--include",
    "--request",
    method,
    ...(options.args ?? [
      "--aws-sigv4",
      options.sigv4 ?? "aws:amz:us-east-1:objbatch",
      "--user",
      `${user.accessKeyId}:${user.secretAccessKey}`,
    ]),
    ...(options.json !== undefined ? ["--json", JSON.stringify(options.json)] : []),
    `${server.url}${path}`,
  ];
  const { stdout } = await run("curl", args);
  const [head, ...rest] = stdout.split("\r\n\r\n");
  const lines = head!.split("\r\n");
  const status = Number(lines[0]!.split(" ")[1]);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(":");
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const text = rest.join("\r\n\r\n");
  const answer = { status, headers, text, json: text === "" ? undefined : JSON.parse(text) };
  checker.check(method, path.split("?")[0]!, answer);
  return answer;
}

describe("curl --aws-sigv4", () => {
  it("creates, lists, describes, tags, cancels and deletes a job", async () => {
    const created = await curl("POST", "/api/v1/jobs", { json: createRequest({ description: "from curl" }) });
    assert.equal(created.status, 201, created.text);
    const { jobId } = created.json;
    assert.equal(created.json.dialect, "json");

    const listed = await curl("GET", "/api/v1/jobs?limit=10&q=curl&status=New");
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(
      listed.json.jobs.map((j: { jobId: string }) => j.jobId),
      [jobId],
    );

    const described = await curl("GET", `/api/v1/jobs/${jobId}`, { sigv4: "aws:amz:ap-southeast-2:anything" });
    assert.equal(described.status, 200);
    assert.equal(described.json.description, "from curl");

    const tagged = await curl("PUT", `/api/v1/jobs/${jobId}/tags`, { json: { tags: [{ key: "by", value: "curl" }] } });
    assert.deepEqual(tagged.json.tags, [{ key: "by", value: "curl" }]);

    const patched = await curl("PATCH", `/api/v1/jobs/${jobId}`, { json: { priority: 99 } });
    assert.equal(patched.json.priority, 99);

    assert.equal((await curl("DELETE", `/api/v1/jobs/${jobId}`)).status, 409);
    const cancelled = await curl("POST", `/api/v1/jobs/${jobId}/cancel`, { json: { reason: "done with it" } });
    assert.equal(cancelled.json.status, "Cancelling");
    assert.equal(cancelled.json.statusUpdateReason, "done with it");
    assert.ok(await store.store.transition(jobId, "Cancelling", "Cancelled", Date.now()));
    assert.equal((await curl("DELETE", `/api/v1/jobs/${jobId}`)).status, 204);
    assert.equal((await curl("GET", `/api/v1/jobs/${jobId}`)).status, 404);
  });

  it("gets problems for another account's job and for a wrong secret", async () => {
    const created = await curl("POST", "/api/v1/jobs", { json: createRequest() });
    const theirs = await curl("GET", `/api/v1/jobs/${created.json.jobId}`, { user: BOB });
    assert.equal(theirs.status, 404);
    assert.equal(theirs.headers["content-type"], "application/problem+json; charset=utf-8");
    assert.equal(theirs.json.type, "urn:objbatch:problem:no-such-job");
    const wrong = await curl("GET", "/api/v1/jobs", { user: { ...ALICE, secretAccessKey: "nope" } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.type, "urn:objbatch:problem:unauthenticated");
  });

  it("follows a job's events with -N, as the README shows", async () => {
    const created = await curl("POST", "/api/v1/jobs", { json: createRequest() });
    assert.equal(created.status, 201, created.text);
    const child = spawn("curl", [
      "-N",
      "--silent",
      "--aws-sigv4",
      "aws:amz:us-east-1:objbatch",
      "--user",
      `${ALICE.accessKeyId}:${ALICE.secretAccessKey}`,
      `${server.url}/api/v1/jobs/${created.json.jobId}/events`,
    ]);
    let out = "";
    const ended = new Promise((resolve) => child.on("close", resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no job.created from curl: ${out}`)), 30_000);
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          if (/event: job\.created\ndata: \{.*\}\n\n/.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      assert.match(out, /^retry: \d+\n/);
      assert.match(out, /\nid: \d+\nevent: job\.created\n/);
      assert.equal(JSON.parse(/data: (\{.*\})\n/.exec(out)?.[1] ?? "{}").jobId, created.json.jobId);
    } finally {
      child.kill();
      await ended;
    }
  });
});

describe("curl with a cookie jar (a console session)", () => {
  it("signs in, reads with the cookie, changes with the CSRF token, and signs out", async () => {
    const dir = await mkdtemp(join(tmpdir(), "objbatch-curl-jar-"));
    const jar = join(dir, "jar");
    try {
      const signIn = await curl("POST", "/api/v1/session", {
        json: { accessKeyId: ALICE.accessKeyId, secretAccessKey: ALICE.secretAccessKey },
        args: ["-c", jar],
      });
      assert.equal(signIn.status, 201, signIn.text);
      const csrf: string = signIn.json.csrfToken;
      const listed = await curl("GET", "/api/v1/jobs", { args: ["-b", jar] });
      assert.equal(listed.status, 200, listed.text);
      const refused = await curl("POST", "/api/v1/jobs", { json: createRequest(), args: ["-b", jar] });
      assert.equal(refused.status, 403);
      const created = await curl("POST", "/api/v1/jobs", {
        json: createRequest(),
        args: ["-b", jar, "-H", `X-CSRF-Token: ${csrf}`],
      });
      assert.equal(created.status, 201, created.text);
      assert.equal((await curl("GET", "/api/v1/session", { args: ["-b", jar] })).json.csrfToken, csrf);
      const out = await curl("DELETE", "/api/v1/session", {
        args: ["-b", jar, "-c", jar, "-H", `X-CSRF-Token: ${csrf}`],
      });
      assert.equal(out.status, 204);
      assert.equal((await curl("GET", "/api/v1/jobs", { args: ["-b", jar] })).status, 401, "the jar holds no session");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
