/**
 * One incremental hasher per checksum algorithm, all with the same shape: feed bytes with update(), read the
 * checksum once with digest() as the bytes S3 encodes in base64 (CRCs big-endian, digests as they come).
 *
 * CRC32 and CRC32C come from @aws-crypto (what the AWS SDK v3 itself used for years), CRC64NVME from the AWS
 * SDK's @aws-sdk/checksums (its documented public Crc64Nvme class; installed with @aws-sdk/client-s3), MD5 and
 * the SHA family from node:crypto. The CRC packages (CommonJS) are required when a hasher of theirs is first
 * created: every runner thread loads the operations, and @aws-sdk/checksums alone (with the @smithy/core it
 * pulls in) cost each thread's heap 1.2 MB that a job computing no CRC never used (docs/decisions.md D23).
 */
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type * as Crc32Package from "@aws-crypto/crc32";
import type * as Crc32cPackage from "@aws-crypto/crc32c";
import type * as CrcPackage from "@aws-sdk/checksums/crc";
import type { ChecksumAlgorithm } from "./algorithms.js";

const require = createRequire(import.meta.url);

export interface Hasher {
  update(data: Uint8Array): void;
  digest(): Promise<Buffer>;
}

export function createHasher(algorithm: ChecksumAlgorithm): Hasher {
  switch (algorithm) {
    case "CRC32":
      return crcHasher(new (require("@aws-crypto/crc32") as typeof Crc32Package).Crc32());
    case "CRC32C":
      return crcHasher(new (require("@aws-crypto/crc32c") as typeof Crc32cPackage).Crc32c());
    case "CRC64NVME": {
      const crc = new (require("@aws-sdk/checksums/crc") as typeof CrcPackage).Crc64Nvme();
      return { update: (data) => crc.update(data), digest: async () => Buffer.from(await crc.digest()) };
    }
    case "MD5":
      return nodeHasher("md5");
    case "SHA1":
      return nodeHasher("sha1");
    case "SHA256":
      return nodeHasher("sha256");
    case "SHA512":
      return nodeHasher("sha512");
  }
}

/** A 32-bit CRC as its four big-endian bytes (S3's x-amz-checksum-crc32 is the base64 of those). */
function crcHasher(crc: { update(data: Uint8Array): unknown; digest(): number }): Hasher {
  return {
    update: (data) => {
      crc.update(data);
    },
    digest: async () => {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(crc.digest() >>> 0);
      return out;
    },
  };
}

function nodeHasher(name: string): Hasher {
  const hash = createHash(name);
  return {
    update: (data) => {
      hash.update(data);
    },
    digest: async () => hash.digest(),
  };
}
