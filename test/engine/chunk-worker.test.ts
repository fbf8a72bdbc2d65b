/**
 * What a runner thread (engine/chunk-worker.ts) loads. Every runner thread is a V8 isolate of its own, so each
 * package its module graph pulls in costs memory once per thread. The graph is read from the sources: the static
 * imports (type-only imports are erased; the S3 backend is imported dynamically, only when a store is on S3).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ENTRY = fileURLToPath(new URL("../../src/engine/chunk-worker.ts", import.meta.url));

/** The packages reached from `entry` through static value imports, each with the first module importing it. */
function packagesReached(entry: string): Map<string, string> {
  const seen = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, "utf8");
    for (const m of source.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+"([^"]+)";/gms)) {
      if (m[2] !== undefined) continue;
      const spec = m[3] as string;
      if (spec.startsWith(".")) visit(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
      else if (!spec.startsWith("node:")) {
        const name = spec
          .split("/")
          .slice(0, spec.startsWith("@") ? 2 : 1)
          .join("/");
        if (!packages.has(name)) packages.set(name, file);
      }
    }
  };
  visit(entry);
  return packages;
}

describe("a runner thread's module graph", () => {
  const packages = packagesReached(ENTRY);

  it("is read whole: it reaches the storage backends and the operations", () => {
    assert.ok(packages.has("csv-parse"), "CSV manifests' byte ranges are read in the runner");
    assert.ok(packages.has("mime-types"), "the local backend is loaded");
  });

  it("loads neither the AWS SDK, nor TypeBox, nor the job store, nor the HTTP server", () => {
    for (const heavy of [
      "@aws-sdk/client-s3",
      "@aws-sdk/lib-storage",
      // The CRC libraries are imported when a job first computes a CRC (checksum/hasher.ts).
      "@aws-sdk/checksums",
      "@aws-crypto/crc32",
      "@aws-crypto/crc32c",
      "typebox",
      "kysely",
      "pg",
      "fastify",
      "prom-client",
    ]) {
      assert.equal(packages.get(heavy), undefined, `${heavy} is imported by ${packages.get(heavy)}`);
    }
  });
});
