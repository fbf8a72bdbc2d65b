/**
 * The config file's `storage` entry (storage-config.ts): routes read in order, checked against their schema, the
 * local data dir last; mistakes stop objbatch with a ConfigError naming the route and field, never a secret.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ConfigError, loadConfig } from "../../src/config.js";

describe("the config file's storage routes", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "objbatch-storage-config-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function load(storage: unknown) {
    const { writeFile } = await import("node:fs/promises");
    const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, JSON.stringify({ storage }));
    return loadConfig({
      env: { OBJBATCH_ACCESS_KEY: "ak", OBJBATCH_SECRET_KEY: "sk" },
      flags: { dataDir: dir, config: file },
    });
  }

  it("defaults to the local data dir", () => {
    const c = loadConfig({ env: { OBJBATCH_ACCESS_KEY: "ak", OBJBATCH_SECRET_KEY: "sk" }, flags: { dataDir: dir } });
    assert.deepEqual(c.storage, { kind: "local", dataDir: dir });
  });

  it("reads routes in order and ends with the data dir for every other bucket", async () => {
    const c = await load([
      {
        buckets: ["logs-*"],
        kind: "s3",
        endpoint: "http://127.0.0.1:7480",
        region: "us-east-1",
        accessKeyId: "AK",
        secretAccessKey: "SK",
        forcePathStyle: true,
      },
      { buckets: ["archive"], kind: "local", dataDir: join(dir, "archive") },
    ]);
    assert.equal(c.storage.kind, "routed");
    assert.deepEqual(c.storage.kind === "routed" && c.storage.routes, [
      {
        buckets: ["logs-*"],
        store: {
          kind: "s3",
          endpoint: "http://127.0.0.1:7480",
          region: "us-east-1",
          accessKeyId: "AK",
          secretAccessKey: "SK",
          forcePathStyle: true,
          maxSockets: c.engine.taskConcurrency + 8,
        },
      },
      { buckets: ["archive"], store: { kind: "local", dataDir: join(dir, "archive") } },
      { buckets: ["*"], store: { kind: "local", dataDir: dir } },
    ]);
  });

  const bad: [string, unknown, RegExp][] = [
    ["not a list", { kind: "s3" }, /^config file storage: expected an array of storage routes, got an object$/],
    ["no buckets", [{ kind: "local" }], /^config file storage\[0\]\.buckets: required \(a non-empty array of/],
    ["unknown kind", [{ buckets: ["*"], kind: "gcs" }], /storage\[0\]\.kind: expected "s3" or "local", got "gcs"/],
    [
      "a typo",
      [{ buckets: ["*"], kind: "s3", region: "us-east-1", forcePathstyle: true }],
      /storage\[0\]\.forcePathstyle: unknown field, did you mean "forcePathStyle"\?/,
    ],
    ["no region", [{ buckets: ["*"], kind: "s3", endpoint: "http://x:1" }], /storage\[0\]\.region: required/],
    [
      "a bad endpoint",
      [{ buckets: ["*"], kind: "s3", region: "r", endpoint: "127.0.0.1:7480" }],
      /endpoint must be an http\(s\):\/\/ URL, got "127.0.0.1:7480"/,
    ],
    [
      "half a key pair",
      [{ buckets: ["*"], kind: "s3", region: "r", accessKeyId: "AK" }],
      /accessKeyId and secretAccessKey go together/,
    ],
    [
      "a bad pool size",
      [{ buckets: ["*"], kind: "s3", region: "r", maxSockets: 0 }],
      /storage\[0\]\.maxSockets: expected an integer from 1 to 10000, got 0/,
    ],
  ];
  for (const [name, value, message] of bad) {
    it(`refuses ${name} with a clear ConfigError`, async () => {
      await assert.rejects(load(value), (e: unknown) => e instanceof ConfigError && message.test(e.message));
    });
  }

  it("never shows a secret in a config error", async () => {
    await assert.rejects(
      load([
        { buckets: ["*"], kind: "s3", region: "r", accessKeyId: "AK", secretAccessKey: "TOPSECRET", maxSockets: -1 },
      ]),
      (e: unknown) => e instanceof ConfigError && !e.message.includes("TOPSECRET"),
    );
  });
});
