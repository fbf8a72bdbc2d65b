import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import zlib from "node:zlib";
import type { ComputeObjectChecksumOperation } from "../../src/domain/job.js";
import { computeObjectChecksum } from "../../src/operations/compute-object-checksum.js";
import { contextOf, type Fixture, withFixture } from "./helpers.js";

const op = (algorithm: string, checksumType?: "FULL_OBJECT" | "COMPOSITE"): ComputeObjectChecksumOperation => ({
  kind: "ComputeObjectChecksum",
  algorithm,
  ...(checksumType ? { checksumType } : {}),
});

describe("computeObjectChecksum", () => {
  let f: Fixture;
  before(async () => {
    f = await withFixture();
    await f.drop("src", "check/123456789.txt", "123456789");
  });
  after(() => f.cleanup());

  it("reports known check values as JSON in the ResultMessage", async () => {
    const task = { bucket: "src", key: "check/123456789.txt" };
    const expected: Record<string, string> = {
      CRC32: "cbf43926",
      CRC32C: "e3069283",
      CRC64NVME: "ae8b14860a799888",
      MD5: "25f9e794323b453885f5181f1b624d0b",
      SHA1: "f7c3bc1d808e04732adf679965ccc34ca7ae3441",
      SHA256: "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225",
    };
    for (const [algorithm, hex] of Object.entries(expected)) {
      const result = await computeObjectChecksum(task, op(algorithm, "FULL_OBJECT"), contextOf(f));
      assert.equal(result.status, "succeeded", result.message);
      assert.equal(result.httpStatus, 200);
      assert.deepEqual(JSON.parse(result.message), {
        algorithm,
        checksumType: "FULL_OBJECT",
        base64: Buffer.from(hex, "hex").toString("base64"),
        hex,
      });
    }
    const lower = await computeObjectChecksum(task, op("crc32c"), contextOf(f));
    assert.equal(
      lower.message,
      '{"algorithm":"CRC32C","checksumType":"FULL_OBJECT","base64":"4waSgw==","hex":"e3069283"}',
    );
  });

  it("streams a multi-megabyte object: equal to zlib's CRC32 and node:crypto's SHA512 of its bytes", async () => {
    const data = randomBytes(5 * 1024 * 1024 + 3);
    await f.storage.put("src", "big.bin", data);
    const task = { bucket: "src", key: "big.bin", versionId: "null" };
    const sha = JSON.parse((await computeObjectChecksum(task, op("SHA512"), contextOf(f))).message);
    assert.equal(sha.hex, createHash("sha512").update(data).digest("hex"));
    const zlibCrc32 = (zlib as unknown as { crc32?: (data: Buffer) => number }).crc32;
    if (zlibCrc32 !== undefined) {
      const crc = JSON.parse((await computeObjectChecksum(task, op("CRC32"), contextOf(f))).message);
      assert.equal(Number.parseInt(crc.hex, 16), zlibCrc32(data));
    }
  });

  it("fails with 400 for algorithms it does not compute and for COMPOSITE", async () => {
    const task = { bucket: "src", key: "check/123456789.txt" };
    const xx = await computeObjectChecksum(task, op("XXHASH64"), contextOf(f));
    assert.deepEqual([xx.status, xx.httpStatus, xx.errorCode], ["failed", 400, "InvalidRequest"]);
    assert.match(xx.message, /XXHASH64 is not supported by objbatch; use one of CRC32, CRC32C, CRC64NVME/);
    const unknown = await computeObjectChecksum(task, op("ADLER32"), contextOf(f));
    assert.deepEqual([unknown.httpStatus, unknown.errorCode], [400, "InvalidArgument"]);
    assert.match(unknown.message, /Unknown checksum algorithm "ADLER32"/);
    const composite = await computeObjectChecksum(task, op("CRC32", "COMPOSITE"), contextOf(f));
    assert.deepEqual([composite.httpStatus, composite.errorCode], [400, "InvalidRequest"]);
    assert.match(composite.message, /COMPOSITE .* use FULL_OBJECT/);
  });

  it("fails with the storage's rows: missing key or version, archived object", async () => {
    const missing = await computeObjectChecksum({ bucket: "src", key: "nope" }, op("SHA256"), contextOf(f));
    assert.deepEqual([missing.status, missing.httpStatus, missing.errorCode], ["failed", 404, "NoSuchKey"]);
    const version = await computeObjectChecksum(
      { bucket: "src", key: "check/123456789.txt", versionId: "7" },
      op("SHA256"),
      contextOf(f),
    );
    assert.deepEqual([version.httpStatus, version.errorCode], [404, "NoSuchVersion"]);
    await f.storage.put("src", "cold.bin", "frozen", { storageClass: "GLACIER" });
    const cold = await computeObjectChecksum({ bucket: "src", key: "cold.bin" }, op("SHA256"), contextOf(f));
    assert.deepEqual([cold.httpStatus, cold.errorCode], [403, "InvalidObjectState"]);
  });
});
