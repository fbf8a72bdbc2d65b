/**
 * Every supported algorithm against independently published check values: the CRC catalogue's check value
 * (the CRC of "123456789") for CRC32, CRC32C and CRC-64/NVME, the FIPS 180 / RFC 1321 examples for "abc", and
 * the empty input. Also: S3's base64 encoding (big-endian CRC bytes) and case-insensitive names.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lookUpAlgorithm, SUPPORTED_CHECKSUM_ALGORITHMS } from "../../src/checksum/algorithms.js";
import { createHasher } from "../../src/checksum/hasher.js";

async function hex(algorithm: (typeof SUPPORTED_CHECKSUM_ALGORITHMS)[number], input: string): Promise<string> {
  const hasher = createHasher(algorithm);
  hasher.update(Buffer.from(input, "utf8"));
  return (await hasher.digest()).toString("hex");
}

describe("checksum vectors", () => {
  it("CRC check values of the CRC catalogue (input 123456789)", async () => {
    assert.equal(await hex("CRC32", "123456789"), "cbf43926");
    assert.equal(await hex("CRC32C", "123456789"), "e3069283");
    assert.equal(await hex("CRC64NVME", "123456789"), "ae8b14860a799888");
  });

  it("digests of 'abc' from RFC 1321 and FIPS 180", async () => {
    assert.equal(await hex("MD5", "abc"), "900150983cd24fb0d6963f7d28e17f72");
    assert.equal(await hex("SHA1", "abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert.equal(await hex("SHA256", "abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.equal(
      await hex("SHA512", "abc"),
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    );
  });

  it("the empty input", async () => {
    assert.equal(await hex("CRC32", ""), "00000000");
    assert.equal(await hex("CRC32C", ""), "00000000");
    assert.equal(await hex("CRC64NVME", ""), "0000000000000000");
    assert.equal(await hex("MD5", ""), "d41d8cd98f00b204e9800998ecf8427e");
    assert.equal(await hex("SHA1", ""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    assert.equal(await hex("SHA256", ""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("encodes CRCs as S3's x-amz-checksum headers do (base64 of the big-endian bytes)", async () => {
    const crc32c = createHasher("CRC32C");
    crc32c.update(Buffer.from("123456789"));
    assert.equal((await crc32c.digest()).toString("base64"), "4waSgw==");
    const crc32 = createHasher("CRC32");
    crc32.update(Buffer.from("123456789"));
    assert.equal((await crc32.digest()).toString("base64"), Buffer.from("cbf43926", "hex").toString("base64"));
  });

  it("looks names up ignoring case; knows which S3 algorithms it does not compute", () => {
    assert.deepEqual(lookUpAlgorithm("crc32c"), { kind: "supported", algorithm: "CRC32C" });
    assert.deepEqual(lookUpAlgorithm(" Sha256 "), { kind: "supported", algorithm: "SHA256" });
    assert.deepEqual(lookUpAlgorithm("XXHASH64"), { kind: "unsupported", algorithm: "XXHASH64" });
    assert.deepEqual(lookUpAlgorithm("xxhash128"), { kind: "unsupported", algorithm: "XXHASH128" });
    assert.deepEqual(lookUpAlgorithm("ADLER32"), { kind: "unknown", name: "ADLER32" });
    assert.deepEqual(lookUpAlgorithm(""), { kind: "unknown", name: "" });
    assert.deepEqual([...SUPPORTED_CHECKSUM_ALGORITHMS].sort(), [
      "CRC32",
      "CRC32C",
      "CRC64NVME",
      "MD5",
      "SHA1",
      "SHA256",
      "SHA512",
    ]);
  });
});
