/**
 * The default HTTP connection cap: what the process's open-file limit leaves after the engine's share, read
 * from the limits file Linux gives every process.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { defaultMaxConnections, engineOpenFiles, openFilesLimit } from "../../src/config/open-files-budget.js";
import { DEFAULT_ENGINE_OPTIONS } from "../../src/engine/options.js";

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            %SOFT%                 524288               files
Max locked memory         8388608              8388608              bytes
`;

describe("the open-file budget", () => {
  const dir = mkdtempSync(join(tmpdir(), "objbatch-limits-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const limitsFile = (soft: string) => {
    const file = join(dir, `limits-${soft}`);
    writeFileSync(file, LIMITS.replace("%SOFT%", soft));
    return file;
  };

  it("reads the soft open-file limit", () => {
    assert.equal(openFilesLimit(limitsFile("1024")), 1024);
    assert.equal(openFilesLimit(limitsFile("unlimited")), "unlimited");
    assert.equal(openFilesLimit(join(dir, "missing")), undefined);
    assert.equal(typeof openFilesLimit(), process.platform === "linux" ? "number" : "undefined");
  });

  it("counts the engine's descriptors: two per task in flight per thread, and each S3 pool per thread", () => {
    const local = { kind: "local", dataDir: "/data" } as const;
    // Two runner threads, whatever this machine's default (one per core but one).
    const engine = { ...DEFAULT_ENGINE_OPTIONS, runnerThreads: 2 };
    assert.equal(engineOpenFiles(engine, local), 128 + 2 * 64 * 2);
    const s3 = { kind: "s3", region: "us-east-1", maxSockets: 50 } as const;
    const routed = {
      kind: "routed",
      routes: [
        { buckets: ["logs-*"], store: s3 },
        { buckets: ["more-*"], store: s3 },
        { buckets: ["*"], store: local },
      ],
    } as const;
    assert.equal(engineOpenFiles(engine, routed), 128 + 2 * 64 * 2 + 50 * 3, "one pool per store");
  });

  it("leaves the cap what the limit does not need for the engine, within bounds", () => {
    assert.equal(defaultMaxConnections(1024, 384), 640);
    assert.equal(defaultMaxConnections(1024, 1000), 256, "never below a quarter of the limit");
    assert.equal(defaultMaxConnections(1_048_576, 384), 10_000);
    assert.equal(defaultMaxConnections("unlimited", 384), 10_000);
    assert.equal(defaultMaxConnections(undefined, 384), 512);
  });
});
