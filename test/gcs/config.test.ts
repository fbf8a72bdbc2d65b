/**
 * The accounts' Google projects in the config file (D46): each names one account, never two and never another
 * account's id; a project id must look like one (or a project number).
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ConfigError, loadConfig } from "../../src/config.js";
import { ROOT } from "../helpers/app.js";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "objbatch-gcs-config-"));
});
after(() => rm(dir, { recursive: true, force: true }));

const account = (id: string, n: number, projects?: string[]) => ({
  id,
  accessKeyId: `AKIDGCSCONFIG0000${n}`,
  secretAccessKey: `secret-key-for-config-tests-${n}`,
  ...(projects ? { projects } : {}),
});

async function load(accounts: unknown[], env: Record<string, string> = {}) {
  const config = join(dir, `config-${Math.random()}.json`);
  await writeFile(config, JSON.stringify({ accounts }));
  return loadConfig({
    env: {
      OBJBATCH_ACCOUNT_ID: ROOT.accountId,
      OBJBATCH_ACCESS_KEY: ROOT.accessKeyId,
      OBJBATCH_SECRET_KEY: ROOT.secretAccessKey,
      ...env,
    },
    flags: { dataDir: dir, config },
  });
}

describe("accounts' Google projects", () => {
  it("gives an account the projects the config names", async () => {
    const config = await load([account("2000000001", 1, ["team-photos", "123456789"])]);
    assert.deepEqual(config.accounts.find((a) => a.id === "2000000001")?.projects, ["team-photos", "123456789"]);
  });

  it("gives the root account the projects of OBJBATCH_PROJECTS, checked like the others", async () => {
    const config = await load([account("2000000001", 1, ["team-photos"])], {
      OBJBATCH_PROJECTS: "my-project, other-project",
    });
    assert.deepEqual(config.rootAccount.account.projects, ["my-project", "other-project"]);
    assert.deepEqual(config.accounts.find((a) => a.id === ROOT.accountId)?.projects, ["my-project", "other-project"]);
    await assert.rejects(load([], { OBJBATCH_PROJECTS: "Bad_Project" }), ConfigError);
    await assert.rejects(
      load([account("2000000001", 1, ["team-photos"])], { OBJBATCH_PROJECTS: "team-photos" }),
      ConfigError,
    );
  });

  it("refuses a project of two accounts, a project that is another account's id, and malformed project ids", async () => {
    await assert.rejects(
      load([account("2000000001", 1, ["shared-project"]), account("2000000002", 2, ["shared-project"])]),
      ConfigError,
    );
    await assert.rejects(load([account("2000000001", 1, [ROOT.accountId])]), ConfigError);
    for (const bad of ["UPPER-case", "ab", "has_underscore", "../etc"]) {
      await assert.rejects(load([account("2000000001", 1, [bad])]), ConfigError, bad);
    }
  });
});
