/**
 * The config file's `notifications` section (D42): its defaults, each field read, the operator's webhooks
 * named config:<id> for a configured account and checked against the allow-list at start, and bad values
 * refused with a message naming the field.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ConfigError, loadConfig } from "../../src/config.js";

const dir = mkdtempSync(join(tmpdir(), "objbatch-config-notifications-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const ENV = { OBJBATCH_ACCESS_KEY: "AK", OBJBATCH_SECRET_KEY: "SK", OBJBATCH_ACCOUNT_ID: "100000000001" };
let files = 0;
const load = (content: unknown) => {
  const path = join(dir, `config-${files++}.json`);
  writeFileSync(path, JSON.stringify(content));
  return loadConfig({ env: ENV, flags: { config: path, dataDir: dir } });
};
function refusal(content: unknown): string {
  try {
    load(content);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `a ConfigError, not ${(e as Error).stack}`);
    return e.message;
  }
  assert.fail(`accepted ${JSON.stringify(content)}`);
}

const HOOK = {
  id: "ops",
  accountId: 100000000001,
  url: "https://hooks.example.com/objbatch",
  events: ["objbatch.job.finished"],
  secret: "a-secret-of-sixteen-or-more",
};

describe("the notifications section", () => {
  it("defaults to no allowed host, no webhook, 24 h of retries and a 10 s timeout", () => {
    const n = load({}).notifications;
    assert.deepEqual(n.allowedHosts, []);
    assert.deepEqual(n.webhooks, []);
    assert.equal(n.retryForMs, 86_400_000);
    assert.equal(n.timeoutMs, 10_000);
    assert.equal(n.source, "urn:objbatch");
  });

  it("reads every field and the operator's webhooks", () => {
    const n = load({
      notifications: {
        allowedHosts: ["*.example.com", "10.0.0.7:8443"],
        retryForSeconds: 3_600,
        timeoutMs: 2_000,
        backoffBaseMs: 500,
        backoffMaxMs: 60_000,
        pollIntervalMs: 250,
        source: "urn:objbatch:eu-1",
        webhooks: [{ ...HOOK, tags: [{ key: "team", value: "a" }] }],
      },
    }).notifications;
    assert.equal(n.retryForMs, 3_600_000);
    assert.equal(n.timeoutMs, 2_000);
    assert.equal(n.backoffBaseMs, 500);
    assert.equal(n.backoffMaxMs, 60_000);
    assert.equal(n.pollIntervalMs, 250);
    assert.equal(n.source, "urn:objbatch:eu-1");
    assert.equal(n.webhooks.length, 1);
    assert.equal(n.webhooks[0].id, "config:ops");
    assert.equal(n.webhooks[0].accountId, "100000000001");
    assert.equal(n.webhooks[0].source, "config");
    assert.deepEqual(n.webhooks[0].tags, [{ key: "team", value: "a" }]);
  });

  it("refuses bad values, naming the field", () => {
    assert.match(refusal({ notifications: { timeoutMs: 5 } }), /^config file notifications\.timeoutMs: expected/);
    assert.match(refusal({ notifications: { allowed: [] } }), /^config file notifications\.allowed: unknown field/);
    assert.match(
      refusal({ notifications: { allowedHosts: ["https://x.example.com/path"] } }),
      /^config file notifications\.allowedHosts\[0\]: .* is not a host/,
    );
    assert.match(
      refusal({ notifications: { allowedHosts: ["*.example.com"], webhooks: [{ ...HOOK, events: ["job.done"] }] } }),
      /^config file notifications\.webhooks\[0\]\.events\[0\]: expected/,
    );
    assert.match(
      refusal({ notifications: { allowedHosts: ["other.example.org"], webhooks: [HOOK] } }),
      /^config file notifications\.webhooks\[0\]\.url: hooks\.example\.com is not in notifications\.allowedHosts/,
    );
    assert.match(
      refusal({ notifications: { webhooks: [HOOK] } }),
      /^config file notifications\.webhooks\[0\]\.url: webhooks are off/,
    );
    assert.match(
      refusal({ notifications: { allowedHosts: ["*.example.com"], webhooks: [{ ...HOOK, accountId: "999" }] } }),
      /^config file notifications\.webhooks\[0\]: account 999 is not configured/,
    );
    assert.match(
      refusal({ notifications: { allowedHosts: ["*.example.com"], webhooks: [HOOK, HOOK] } }),
      /^config file notifications\.webhooks\[1\]: id ops is used twice/,
    );
  });
});
