/**
 * The whole configuration is checked against one schema at start: values of the wrong type, out of range or
 * under an unknown name are refused with a message naming the field as a path, from loadConfig and from the
 * real `objbatch serve` (exit status 2, no stack trace). Secrets are never repeated, and every field of the
 * schema says what it is for. That the environment's variables follow the same rules is in environment.test.ts.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ConfigError, loadConfig } from "../../src/config.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "objbatch-config-schema-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const ENV = { OBJBATCH_ACCESS_KEY: "AK", OBJBATCH_SECRET_KEY: "SK" };
const ACCOUNT = { id: "1300000000", accessKeyId: "AKIDTEAM", secretAccessKey: "team-secret" };

let files = 0;
function configFile(content: unknown): string {
  const path = join(dir, `config-${files++}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

/** The ConfigError loadConfig throws for this config file (and environment), or a failed assertion. */
function refusal(content: unknown, env: Record<string, string> = {}): string {
  try {
    loadConfig({ env: { ...ENV, ...env }, flags: { config: configFile(content), dataDir: dir } });
  } catch (e) {
    assert.ok(e instanceof ConfigError, `a ConfigError, not ${(e as Error).stack}`);
    return e.message;
  }
  assert.fail(`accepted ${JSON.stringify(content)}`);
}

describe("the config file's schema", () => {
  it("refuses the values of the wrong type the issue found, naming the field", () => {
    assert.equal(
      refusal({ accounts: [{ ...ACCOUNT, buckets: "src" }] }),
      'config file accounts[0].buckets: expected an array of non-empty strings, got "src"',
    );
    assert.equal(
      refusal({ engine: { chunkSize: 0 } }),
      "config file engine.chunkSize: expected an integer from 1 to 1000000, got 0",
    );
    assert.equal(refusal([]), "config file: expected a JSON object, got an empty array");
    assert.equal(refusal({ accounts: 5 }), "config file accounts: expected an array of accounts, got 5");
    assert.equal(refusal({ accounts: null }), "config file accounts: expected an array of accounts, got null");
  });

  it("refuses unknown fields and names the one a typo meant", () => {
    assert.equal(refusal({ engin: { chunkSize: 10 } }), 'config file engin: unknown field, did you mean "engine"?');
    assert.equal(
      refusal({ engine: { chunksize: 10 } }),
      'config file engine.chunksize: unknown field, did you mean "chunkSize"?',
    );
    assert.match(
      refusal({ accounts: [{ ...ACCOUNT, colour: "red" }] }),
      /accounts\[0\]\.colour: unknown field; known fields: id, /,
    );
  });

  it("gives engine settings real ranges, the retry policy's fields one by one", () => {
    assert.equal(
      refusal({ engine: { chunkSize: 1.5 } }),
      "config file engine.chunkSize: expected an integer from 1 to 1000000, got 1.5",
    );
    assert.equal(
      refusal({ engine: { runnerThreads: -1 } }),
      "config file engine.runnerThreads: expected an integer from 0 to 256, got -1",
    );
    assert.equal(
      refusal({ engine: { failureRatio: 2 } }),
      "config file engine.failureRatio: expected a number from 0 to 1, got 2",
    );
    assert.equal(
      refusal({ engine: { reportPartBytes: 1000 } }),
      "config file engine.reportPartBytes: expected an integer from 5242880 to 5368709120, got 1000",
    );
    assert.equal(
      refusal({ engine: { retry: { attempts: "3" } } }),
      'config file engine.retry.attempts: expected an integer from 1 to 100, got "3"',
    );
    const config = loadConfig({
      env: ENV,
      flags: {
        config: configFile({ engine: { retry: { attempts: 3 }, maxRequestsPerSecondPerJob: 0.5 } }),
        dataDir: dir,
      },
    });
    assert.deepEqual(config.engine.retry, {
      attempts: 3,
      baseDelayMs: 100,
      throttlingBaseDelayMs: 500,
      maxDelayMs: 10_000,
    });
    assert.equal(config.engine.maxRequestsPerSecondPerJob, 0.5);
  });

  it("lists every problem of the file, one line each", () => {
    assert.deepEqual(refusal({ port: "80", logLevel: "loud", http: { maxConnections: 0 } }).split("\n"), [
      'config file port: expected an integer from 0 to 65535, got "80"',
      'config file logLevel: expected "fatal", "error", "warn", "info", "debug", "trace" or "silent", got "loud"',
      "config file http.maxConnections: expected an integer from 1 to 1000000, got 0",
    ]);
  });

  it("explains storage routes and function endpoints by the kind they meant", () => {
    assert.equal(
      refusal({ storage: [{ buckets: ["*"], kind: "gcs" }] }),
      'config file storage[0].kind: expected "s3" or "local", got "gcs"',
    );
    assert.equal(
      refusal({ storage: [{ buckets: ["logs-*"], kind: "s3", region: "r", maxSockets: "64" }] }),
      'config file storage[0].maxSockets: expected an integer from 1 to 10000, got "64"',
    );
    assert.equal(
      refusal({ storage: [{ buckets: ["*"], kind: "local", region: "r" }] }),
      "config file storage[0].region: unknown field; known fields: buckets, kind, dataDir",
    );
    const arn = "arn:aws:lambda:us-east-1:123456789012:function:thumbnail";
    assert.equal(
      refusal({ functions: { [arn]: 5 } }),
      `config file functions["${arn}"]: expected a URL or an object with url and timeoutMs, got 5`,
    );
    assert.equal(
      refusal({ functions: { [arn]: { url: "http://127.0.0.1:9000/", timeoutMs: "10" } } }),
      `config file functions["${arn}"].timeoutMs: expected an integer from 1 to 900000, got "10"`,
    );
  });

  it("checks what a schema cannot: half a key pair, an account or key given twice", () => {
    assert.equal(
      refusal({ accounts: [{ id: "1", accessKeyId: "AK1" }] }),
      "config file accounts[0]: accessKeyId and secretAccessKey go together",
    );
    assert.equal(
      refusal({ accounts: [ACCOUNT, { ...ACCOUNT, accessKeyId: "OTHER" }] }),
      "config file: account 1300000000 is configured twice",
    );
    assert.equal(
      refusal({ accounts: [{ ...ACCOUNT, accessKeyId: "AK" }] }),
      "config file: access key AK is configured twice",
    );
  });

  it("never repeats a secret", () => {
    const messages = [
      refusal({ accounts: [{ id: "1", accessKeyId: "AK1", secretAccessKey: 123456789 }] }),
      refusal({ storage: { buckets: ["*"], kind: "s3", region: "r", accessKeyId: "A", secretAccessKey: "TOPSECRET" } }),
      refusal({ storage: [{ buckets: ["*"], kind: "s3", region: "r", accessKeyId: "A", secretAccessKey: 123456789 }] }),
      refusal({ store: 123456789 }),
    ];
    for (const message of messages) {
      assert.doesNotMatch(message, /123456789|TOPSECRET/);
      assert.match(message, /^config file \S+: expected /);
    }
  });

  it("reads maxManifestUploadBytes (POST /api/v1/manifests' own body limit, D38): 64 MiB unless set", () => {
    const config = (content: unknown) => loadConfig({ env: ENV, flags: { config: configFile(content), dataDir: dir } });
    assert.equal(config({}).maxManifestUploadBytes, 64 * 1024 * 1024);
    assert.equal(config({}).maxBodyBytes, 1024 * 1024);
    assert.equal(config({ maxManifestUploadBytes: 2048 }).maxManifestUploadBytes, 2048);
    assert.equal(
      refusal({ maxManifestUploadBytes: 1023 }),
      "config file maxManifestUploadBytes: expected an integer from 1024 to 1073741824, got 1023",
    );
    assert.equal(
      refusal({ maxManifestUploadBytes: 2 * 1024 * 1024 * 1024 }),
      "config file maxManifestUploadBytes: expected an integer from 1024 to 1073741824, got 2147483648",
    );
    assert.equal(
      refusal({ maxManifestUploadByte: 2048 }),
      'config file maxManifestUploadByte: unknown field, did you mean "maxManifestUploadBytes"?',
    );
  });

  it("reads the console sessions' policy from the sessions section, with its defaults", () => {
    const config = (content: unknown) => loadConfig({ env: ENV, flags: { config: configFile(content), dataDir: dir } });
    assert.deepEqual(config({}).sessions, { lifetimeSeconds: 43_200, idleTimeoutSeconds: 7_200, secureCookie: "tls" });
    assert.deepEqual(config({ sessions: { lifetimeSeconds: 3_600, secureCookie: "always" } }).sessions, {
      lifetimeSeconds: 3_600,
      idleTimeoutSeconds: 7_200,
      secureCookie: "always",
    });
    assert.match(refusal({ sessions: { lifetimeSeconds: 10 } }), /^config file sessions\.lifetimeSeconds: expected/);
    assert.match(
      refusal({ sessions: { secureCookie: "never" } }),
      /^config file sessions\.secureCookie: expected "tls"/,
    );
    assert.match(refusal({ sessions: { lifetime: 60 } }), /^config file sessions\.lifetime: unknown field/);
  });

  it("reads the scheduler's settings from the schedules section, with its defaults", () => {
    const config = (content: unknown) => loadConfig({ env: ENV, flags: { config: configFile(content), dataDir: dir } });
    assert.deepEqual(config({}).schedules, {
      enabled: true,
      pollMs: 1_000,
      claimTtlMs: 60_000,
      maxPerTick: 32,
      maxPerAccount: 100,
    });
    assert.deepEqual(config({ schedules: { enabled: false, maxPerAccount: 5 } }).schedules, {
      enabled: false,
      pollMs: 1_000,
      claimTtlMs: 60_000,
      maxPerTick: 32,
      maxPerAccount: 5,
    });
    assert.match(refusal({ schedules: { pollMs: 10 } }), /^config file schedules\.pollMs: expected/);
    assert.match(refusal({ schedules: { enable: true } }), /^config file schedules\.enable: unknown field/);
  });

  it("reads the access tokens' bounds from the tokens section (D44), with its defaults", () => {
    const config = (content: unknown) => loadConfig({ env: ENV, flags: { config: configFile(content), dataDir: dir } });
    assert.deepEqual(config({}).tokens, {
      defaultExpiresInSeconds: 3_600,
      maxExpiresInSeconds: 2_592_000,
      maxLivePerAccount: 100,
    });
    assert.deepEqual(config({ tokens: { maxExpiresInSeconds: 86_400, maxLivePerAccount: 3 } }).tokens, {
      defaultExpiresInSeconds: 3_600,
      maxExpiresInSeconds: 86_400,
      maxLivePerAccount: 3,
    });
    assert.match(
      refusal({ tokens: { maxExpiresInSeconds: 10 } }),
      /^config file tokens\.maxExpiresInSeconds: expected/,
    );
    assert.match(refusal({ tokens: { scopes: [] } }), /^config file tokens\.scopes: unknown field/);
    assert.match(
      refusal({ tokens: { defaultExpiresInSeconds: 7_200, maxExpiresInSeconds: 3_600 } }),
      /^config file tokens: tokens\.defaultExpiresInSeconds \(7200\) is above tokens\.maxExpiresInSeconds/,
    );
  });

  it("reads the signature policy from the auth section and the environment, with its defaults", () => {
    const config = (content: unknown, env: Record<string, string> = {}) =>
      loadConfig({ env: { ...ENV, ...env }, flags: { config: configFile(content), dataDir: dir } });
    assert.deepEqual(config({}).auth, { cosMaxKeyTimeSeconds: 86_400, ossSignatureV1: "allow" });
    assert.deepEqual(config({ auth: { ossSignatureV1: "refuse" } }).auth, {
      cosMaxKeyTimeSeconds: 86_400,
      ossSignatureV1: "refuse",
    });
    assert.deepEqual(config({ auth: { cosMaxKeyTimeSeconds: 900 } }, { OBJBATCH_OSS_SIGNATURE_V1: "refuse" }).auth, {
      cosMaxKeyTimeSeconds: 900,
      ossSignatureV1: "refuse",
    });
    assert.match(refusal({ auth: { ossSignatureV1: "maybe" } }), /^config file auth\.ossSignatureV1: expected "allow"/);
    assert.match(refusal({ auth: { cosMaxKeyTimeSeconds: 0 } }), /^config file auth\.cosMaxKeyTimeSeconds: expected/);
    assert.match(refusal({ auth: { cosMaxKeyTime: 60 } }), /^config file auth\.cosMaxKeyTime: unknown field/);
    assert.match(
      refusal({}, { OBJBATCH_COS_MAX_KEY_TIME_SECONDS: "forever" }),
      /^OBJBATCH_COS_MAX_KEY_TIME_SECONDS: expected/,
    );
  });

  it("gives every field a description", async () => {
    const { CONFIG_FILE_SCHEMA } = await import("../../src/config/schema.js");
    const undescribed: string[] = [];
    const walk = (schema: Record<string, unknown>, path: string) => {
      const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      for (const [key, field] of Object.entries(properties)) {
        if (typeof field.description !== "string" || field.description === "") undescribed.push(`${path}${key}`);
        walk(field, `${path}${key}.`);
        const items = field.items as Record<string, unknown> | undefined;
        if (items) walk(items, `${path}${key}[].`);
        for (const branch of (items?.anyOf ?? field.anyOf ?? []) as Record<string, unknown>[])
          walk(branch, `${path}${key}[].`);
      }
    };
    walk(CONFIG_FILE_SCHEMA as unknown as Record<string, unknown>, "");
    assert.deepEqual(undescribed, []);
  });
});

/** Runs `objbatch serve` with this config file until it exits, or until it says it is listening (a failure). */
function serveWith(content: unknown): Promise<{ code: number | null; stderr: string; listening: boolean }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "src/cli/main.ts",
      "serve",
      "--config",
      configFile(content),
      "--port",
      "0",
      "--host",
      "127.0.0.1",
    ],
    {
      cwd: REPO,
      env: { ...process.env, ...ENV, OBJBATCH_DATA_DIR: join(dir, "serve-data"), LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolve) => {
    child.stdout.on("data", (d) => {
      if (String(d).includes("objbatch listening on")) {
        child.kill("SIGKILL");
        resolve({ code: null, stderr, listening: true });
      }
    });
    child.once("exit", (code) => resolve({ code, stderr, listening: false }));
  });
}

describe("objbatch serve with a bad config file", () => {
  const cases: [string, unknown, string][] = [
    ["buckets that are not a list", { accounts: [{ ...ACCOUNT, buckets: "src" }] }, "accounts[0].buckets"],
    ["a list for a config", [], "config file: expected a JSON object"],
    ["no accounts at all", { accounts: null }, "config file accounts"],
  ];
  for (const [name, content, field] of cases) {
    it(`refuses ${name}: exit status 2, the field named, no stack trace`, async () => {
      const { code, stderr, listening } = await serveWith(content);
      assert.equal(listening, false, "objbatch started with the bad config");
      assert.equal(code, 2, stderr);
      assert.ok(stderr.startsWith("objbatch: config file"), stderr);
      assert.ok(stderr.includes(field), stderr);
      assert.doesNotMatch(stderr, /\n\s+at /, "a stack trace");
    });
  }
});
