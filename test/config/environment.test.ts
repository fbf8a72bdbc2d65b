/**
 * config/environment.ts: the environment variables and command-line flags laid over the config file, each
 * checked against the schema of the config file field it stands for. Flags beat the environment, which beats
 * the file; an empty variable counts as unset; a number is a plain decimal and nothing else (no hex, no units); every bad
 * setting is one line of one ConfigError, naming the variable or flag. The last tests run the same rules through
 * loadConfig, as objbatch starts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type ConfigFlags, withOverrides } from "../../src/config/environment.js";
import type { ConfigFile } from "../../src/config/schema.js";
import { ConfigError, loadConfig } from "../../src/config.js";

/** The ConfigError's lines for these settings, or a failed assertion. */
function refusal(env: NodeJS.ProcessEnv, flags: ConfigFlags = {}, file: ConfigFile = {}): string[] {
  try {
    withOverrides(file, env, flags);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `a ConfigError, not ${(e as Error).stack}`);
    return e.message.split("\n");
  }
  assert.fail(`accepted ${JSON.stringify({ env, flags })}`);
}

describe("withOverrides", () => {
  it("leaves the file's settings as they are when nothing is set", () => {
    const file: ConfigFile = { port: 7000, engine: { chunkSize: 10 }, auth: { ossSignatureV1: "refuse" } };
    assert.equal(withOverrides(file, {}, {}), file);
    assert.equal(withOverrides(file, { OBJBATCH_SECRET_KEY: "sk", PATH: "/usr/bin", OBJBATCH_CONFIG: "x" }, {}), file);
  });

  it("sets the config file field each variable stands for", () => {
    const env = {
      PORT: "9000",
      HOST: "127.0.0.1",
      OBJBATCH_DATA_DIR: "/srv/objbatch",
      OBJBATCH_STORE_URL: "postgres://objbatch@db/objbatch",
      LOG_LEVEL: "warn",
      OBJBATCH_MAX_UNFINISHED_JOBS: "50",
      OBJBATCH_CHUNK_SIZE: "500",
      OBJBATCH_CHUNK_SLOTS: "8",
      OBJBATCH_RUNNER_THREADS: "0",
      OBJBATCH_TASK_CONCURRENCY: "32",
      OBJBATCH_MAX_REQUESTS_PER_SECOND_PER_JOB: "2.5",
      OBJBATCH_MAX_ACTIVE_JOBS: "3",
      OBJBATCH_LEASE_MS: "20000",
      OBJBATCH_POLL_MS: "100",
      OBJBATCH_REPORT_PART_BYTES: "5242880",
      OBJBATCH_REPORT_FLUSH_INTERVAL_MS: "1000",
      OBJBATCH_STORE_RETRY_MAX_DELAY_MS: "2000",
      OBJBATCH_COS_MAX_KEY_TIME_SECONDS: "900",
      OBJBATCH_OSS_SIGNATURE_V1: "refuse",
    };
    assert.deepEqual(withOverrides({}, env, {}), {
      port: 9000,
      host: "127.0.0.1",
      dataDir: "/srv/objbatch",
      store: "postgres://objbatch@db/objbatch",
      logLevel: "warn",
      maxUnfinishedJobs: 50,
      engine: {
        chunkSize: 500,
        chunkSlots: 8,
        runnerThreads: 0,
        taskConcurrency: 32,
        maxRequestsPerSecondPerJob: 2.5,
        maxActiveJobs: 3,
        leaseMs: 20_000,
        pollMs: 100,
        reportPartBytes: 5_242_880,
        reportFlushIntervalMs: 1_000,
        storeRetryMaxDelayMs: 2_000,
      },
      auth: { cosMaxKeyTimeSeconds: 900, ossSignatureV1: "refuse" },
    });
  });

  it("changes one field of the engine and auth sections, keeping the file's others", () => {
    const file: ConfigFile = {
      engine: { chunkSize: 10, taskConcurrency: 8, retry: { attempts: 3 } },
      auth: { cosMaxKeyTimeSeconds: 600 },
    };
    assert.deepEqual(withOverrides(file, { OBJBATCH_CHUNK_SIZE: "50", OBJBATCH_OSS_SIGNATURE_V1: "refuse" }, {}), {
      engine: { chunkSize: 50, taskConcurrency: 8, retry: { attempts: 3 } },
      auth: { cosMaxKeyTimeSeconds: 600, ossSignatureV1: "refuse" },
    });
    assert.deepEqual(
      file.engine,
      { chunkSize: 10, taskConcurrency: 8, retry: { attempts: 3 } },
      "the file is not changed",
    );
  });

  it("lets flags beat the environment, and the environment beat the file", () => {
    const file: ConfigFile = { port: 7000, host: "0.0.0.0", logLevel: "info" };
    const env = { PORT: "7100", HOST: "10.0.0.1" };
    assert.deepEqual(withOverrides(file, env, { port: "7200" }), { port: 7200, host: "10.0.0.1", logLevel: "info" });
    assert.deepEqual(withOverrides(file, env, { port: 7300, logLevel: "debug" }).port, 7300, "a number flag");
    assert.deepEqual(withOverrides(file, env, { port: 7300, logLevel: "debug" }).logLevel, "debug");
    const flags: ConfigFlags = { dataDir: "/flag", store: "sqlite:/flag/jobs.sqlite", host: "::1" };
    assert.deepEqual(withOverrides({}, { OBJBATCH_DATA_DIR: "/env", OBJBATCH_STORE_URL: "sqlite:/env/x" }, flags), {
      dataDir: "/flag",
      store: "sqlite:/flag/jobs.sqlite",
      host: "::1",
    });
  });

  it("counts an empty variable as unset, but checks an empty flag", () => {
    assert.deepEqual(withOverrides({ port: 7000 }, { PORT: "", OBJBATCH_CHUNK_SIZE: "" }, {}), { port: 7000 });
    assert.deepEqual(refusal({}, { host: "" }), ['--host: expected a non-empty string, got ""']);
  });

  it("reads a plain decimal number: a sign, a point, an exponent, spaces around it", () => {
    const read = (raw: string) => withOverrides({}, { OBJBATCH_MAX_REQUESTS_PER_SECOND_PER_JOB: raw }, {}).engine;
    assert.equal(read("2.5")?.maxRequestsPerSecondPerJob, 2.5);
    assert.equal(read(" 7 ")?.maxRequestsPerSecondPerJob, 7);
    assert.equal(read("+3")?.maxRequestsPerSecondPerJob, 3);
    assert.equal(read(".5")?.maxRequestsPerSecondPerJob, 0.5);
    assert.equal(read("4.")?.maxRequestsPerSecondPerJob, 4);
    assert.equal(read("1e3")?.maxRequestsPerSecondPerJob, 1_000);
    assert.equal(read("25E-1")?.maxRequestsPerSecondPerJob, 2.5);
    assert.equal(withOverrides({}, { OBJBATCH_CHUNK_SIZE: "1e3" }, {}).engine?.chunkSize, 1_000);
  });

  it("refuses anything else where a number belongs, saying what the field takes", () => {
    for (const raw of ["0x10", "Infinity", "NaN", "5ms", "1,000", "1_000", "two", "--1", "."]) {
      assert.deepEqual(
        refusal({ OBJBATCH_MAX_REQUESTS_PER_SECOND_PER_JOB: raw }),
        [`OBJBATCH_MAX_REQUESTS_PER_SECOND_PER_JOB: expected a number >= 0, got ${JSON.stringify(raw)}`],
        raw,
      );
    }
    assert.deepEqual(refusal({ OBJBATCH_CHUNK_SIZE: "2.5" }), [
      'OBJBATCH_CHUNK_SIZE: expected an integer from 1 to 1000000, got "2.5"',
    ]);
    assert.deepEqual(refusal({ OBJBATCH_MAX_REQUESTS_PER_SECOND_PER_JOB: "-1" }), [
      'OBJBATCH_MAX_REQUESTS_PER_SECOND_PER_JOB: expected a number >= 0, got "-1"',
    ]);
    assert.deepEqual(refusal({ OBJBATCH_MAX_UNFINISHED_JOBS: "0" }), [
      'OBJBATCH_MAX_UNFINISHED_JOBS: expected an integer >= 1, got "0"',
    ]);
  });

  it("takes a text field's value as given, and checks enumerations", () => {
    assert.equal(withOverrides({}, { HOST: "8080" }, {}).host, "8080", "a host that looks like a number stays text");
    assert.deepEqual(refusal({ LOG_LEVEL: "WARN" }), [
      'LOG_LEVEL: expected "fatal", "error", "warn", "info", "debug", "trace" or "silent", got "WARN"',
    ]);
    assert.deepEqual(refusal({ OBJBATCH_OSS_SIGNATURE_V1: "no" }), [
      'OBJBATCH_OSS_SIGNATURE_V1: expected "allow" or "refuse", got "no"',
    ]);
    assert.deepEqual(refusal({}, { logLevel: "loud" }), [
      '--log-level: expected "fatal", "error", "warn", "info", "debug", "trace" or "silent", got "loud"',
    ]);
  });

  it("lists every bad setting, one line each, variables in their table's order and flags after them", () => {
    assert.deepEqual(
      refusal(
        { OBJBATCH_CHUNK_SIZE: "0", PORT: "http", OBJBATCH_OSS_SIGNATURE_V1: "maybe" },
        { port: "99999", dataDir: "" },
      ),
      [
        'PORT: expected an integer from 0 to 65535, got "http"',
        'OBJBATCH_CHUNK_SIZE: expected an integer from 1 to 1000000, got "0"',
        'OBJBATCH_OSS_SIGNATURE_V1: expected "allow" or "refuse", got "maybe"',
        '--port: expected an integer from 0 to 65535, got "99999"',
        '--data-dir: expected a non-empty string, got ""',
      ],
    );
  });
});

describe("withOverrides through loadConfig", () => {
  const dir = mkdtempSync(join(tmpdir(), "objbatch-config-environment-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const ENV = { OBJBATCH_ACCESS_KEY: "AK", OBJBATCH_SECRET_KEY: "SK" };

  it("checks the environment's variables against the same rules, naming the variable", () => {
    const refused = (env: Record<string, string>) => {
      try {
        loadConfig({ env: { ...ENV, ...env }, flags: { dataDir: dir } });
      } catch (e) {
        assert.ok(e instanceof ConfigError);
        return e.message;
      }
      assert.fail(`accepted ${JSON.stringify(env)}`);
    };
    assert.equal(
      refused({ OBJBATCH_CHUNK_SIZE: "0" }),
      'OBJBATCH_CHUNK_SIZE: expected an integer from 1 to 1000000, got "0"',
    );
    assert.equal(
      refused({ OBJBATCH_RUNNER_THREADS: "two" }),
      'OBJBATCH_RUNNER_THREADS: expected an integer from 0 to 256, got "two"',
    );
    assert.equal(refused({ PORT: "99999" }), 'PORT: expected an integer from 0 to 65535, got "99999"');
    assert.match(refused({ LOG_LEVEL: "loud" }), /^LOG_LEVEL: expected "fatal", .* got "loud"$/);
    assert.throws(
      () => loadConfig({ env: ENV, flags: { dataDir: dir, port: "http" } }),
      (e: unknown) =>
        e instanceof ConfigError && e.message === '--port: expected an integer from 0 to 65535, got "http"',
    );
    const config = loadConfig({
      env: { ...ENV, OBJBATCH_MAX_REQUESTS_PER_SECOND_PER_JOB: "2.5", OBJBATCH_POLL_MS: "" },
      flags: { dataDir: dir },
    });
    assert.equal(config.engine.maxRequestsPerSecondPerJob, 2.5);
    assert.equal(config.engine.pollMs, 250, "an empty variable counts as unset");
  });
});
