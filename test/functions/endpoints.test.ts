/**
 * The config file's `functions` map: URLs or {url, timeoutMs}, validated when the config is loaded (a bad
 * entry is a ConfigError naming it). How a job's FunctionArn finds its endpoint: endpoint-for.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ConfigError, loadConfig } from "../../src/config.js";
import { DEFAULT_FUNCTION_TIMEOUT_MS } from "../../src/functions/endpoints.js";

const ARN = "arn:aws:lambda:us-east-1:123456789012:function:thumbnail";

describe("function endpoints", () => {
  const dir = mkdtempSync(join(tmpdir(), "objbatch-functions-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const load = (file: Record<string, unknown>) => {
    const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify(file));
    return loadConfig({
      env: { OBJBATCH_ACCESS_KEY: "AK", OBJBATCH_SECRET_KEY: "SK" },
      flags: { config: path, dataDir: dir },
    });
  };

  it("loads the map from the config file, URLs or objects with a timeout", () => {
    const config = load({
      functions: {
        [ARN]: "http://127.0.0.1:9000/thumbnail",
        "arn:aws:lambda:eu-west-1:1:function:slow": { url: "https://fn.internal/slow", timeoutMs: 300_000 },
      },
    });
    assert.deepEqual(config.functions, {
      [ARN]: { url: "http://127.0.0.1:9000/thumbnail", timeoutMs: DEFAULT_FUNCTION_TIMEOUT_MS },
      "arn:aws:lambda:eu-west-1:1:function:slow": { url: "https://fn.internal/slow", timeoutMs: 300_000 },
    });
    assert.deepEqual(load({}).functions, {});
    assert.deepEqual(structuredClone(config.functions), config.functions, "plain data for worker threads");
  });

  it("refuses bad entries with a ConfigError that names them", () => {
    const bad: [unknown, RegExp][] = [
      [["http://x"], /^config file functions: expected a map of function ARNs to endpoints, got an array/],
      [{ [ARN]: "not a url" }, /is not a URL/],
      [{ [ARN]: "file:///etc/passwd" }, /http: or https:/],
      [{ [ARN]: "http://user:secret@host/fn" }, /must not carry credentials/],
      [{ [ARN]: { url: "http://h/fn", timeoutMs: 0 } }, /\.timeoutMs: expected an integer from 1 to 900000, got 0/],
      [{ [ARN]: { timeoutMs: 10 } }, /\.url: required \(a URL\)/],
      [{ [ARN]: 5 }, /: expected a URL or an object with url and timeoutMs, got 5/],
      [{ "": "http://h/fn" }, /empty function ARN/],
    ];
    for (const [functions, message] of bad) {
      assert.throws(
        () => load({ functions }),
        (e: unknown) => e instanceof ConfigError && message.test(e.message),
      );
    }
  });
});
