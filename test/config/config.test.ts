import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ConfigError, loadConfig } from "../../src/config.js";

describe("loadConfig", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "objbatch-config-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("defaults to port 8080, ./data, SQLite in the data dir", () => {
    const c = loadConfig({ env: { OBJBATCH_ACCESS_KEY: "ak", OBJBATCH_SECRET_KEY: "sk" } });
    assert.equal(c.port, 8080);
    assert.equal(c.dataDir, join(process.cwd(), "data"));
    assert.equal(c.storeUrl, `sqlite:${join(process.cwd(), "data", "objbatch.sqlite")}`);
    assert.equal(c.engine.chunkSize, 1000);
    assert.deepEqual(c.rootAccount.account.buckets, ["*"]);
  });

  it("takes the root account from the environment", () => {
    const c = loadConfig({
      env: { OBJBATCH_ACCOUNT_ID: "1250000000", OBJBATCH_ACCESS_KEY: "ak", OBJBATCH_SECRET_KEY: "sk", PORT: "9000" },
      flags: { dataDir: dir },
    });
    assert.equal(c.port, 9000);
    assert.equal(c.rootAccount.account.id, "1250000000");
    assert.deepEqual(c.rootAccount.account.keys, [{ accessKeyId: "ak", secretAccessKey: "sk" }]);
    assert.equal(c.rootAccount.created, false);
  });

  it("creates a root key pair once, keeps it private in the data dir, and reuses it", async () => {
    const dataDir = join(dir, "fresh");
    const first = loadConfig({ env: {}, flags: { dataDir } });
    assert.equal(first.rootAccount.created, true);
    const file = join(dataDir, "root-credentials.json");
    assert.equal(first.rootAccount.file, file);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const saved = JSON.parse(await readFile(file, "utf8"));
    assert.equal(saved.accessKeyId, first.rootAccount.account.keys[0].accessKeyId);
    assert.match(saved.accountId, /^\d{12}$/);
    const second = loadConfig({ env: {}, flags: { dataDir } });
    assert.equal(second.rootAccount.created, false);
    assert.deepEqual(second.rootAccount.account, first.rootAccount.account);
  });

  it("reads accounts, roles and engine settings from the config file; flags beat the environment", async () => {
    const file = join(dir, "config.json");
    await writeFile(
      file,
      JSON.stringify({
        port: 7000,
        accounts: [
          {
            id: "1300000000",
            accessKeyId: "AKIDTEAM",
            secretAccessKey: "s",
            buckets: ["team-*"],
            roles: { "qcs::cam::uin/1:roleName/R": ["team-a"] },
            maxUnfinishedJobs: 3,
          },
        ],
        engine: { taskConcurrency: 8 },
      }),
    );
    const c = loadConfig({
      env: { OBJBATCH_ACCESS_KEY: "ak", OBJBATCH_SECRET_KEY: "sk", PORT: "7100", OBJBATCH_CHUNK_SIZE: "50" },
      flags: { config: file, port: "7200", dataDir: dir },
    });
    assert.equal(c.port, 7200);
    assert.equal(c.engine.taskConcurrency, 8);
    assert.equal(c.engine.chunkSize, 50);
    const team = c.accounts.find((a) => a.id === "1300000000");
    assert.deepEqual(team?.buckets, ["team-*"]);
    assert.equal(team?.maxUnfinishedJobs, 3);
    assert.deepEqual(team?.roles, { "qcs::cam::uin/1:roleName/R": ["team-a"] });
  });

  it("refuses bad settings with a clear ConfigError", async () => {
    assert.throws(
      () => loadConfig({ env: { PORT: "99999", OBJBATCH_ACCESS_KEY: "a", OBJBATCH_SECRET_KEY: "b" } }),
      ConfigError,
    );
    assert.throws(
      () => loadConfig({ env: { OBJBATCH_ACCESS_KEY: "a", OBJBATCH_SECRET_KEY: "b", OBJBATCH_CHUNK_SIZE: "many" } }),
      /OBJBATCH_CHUNK_SIZE: expected an integer from 1 to 1000000, got "many"$/,
    );
    assert.throws(
      () => loadConfig({ env: {}, flags: { config: join(dir, "missing.json"), dataDir: dir } }),
      ConfigError,
    );
    const noKey = join(dir, "nokey.json");
    await writeFile(noKey, JSON.stringify({ accounts: [{ id: "1" }] }));
    assert.throws(() => loadConfig({ env: {}, flags: { config: noKey, dataDir: dir } }), /has no access key/);
  });
});
