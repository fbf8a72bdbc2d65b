/**
 * The checksum algorithms S3 names (S3ComputeObjectChecksum's ChecksumAlgorithm, the x-amz-checksum-* headers)
 * and which of them objbatch computes. Names compare case-insensitively and are reported in S3's upper case.
 *
 * Not computed: XXHASH64, XXHASH3 and XXHASH128. The only JavaScript implementations at hand are marked internal
 * in the AWS SDK (@aws-sdk/checksums/xxh), so a task asking for them fails with a clear 400 instead.
 */

/** Every algorithm S3 documents for ComputeObjectChecksum. */
export const S3_CHECKSUM_ALGORITHMS = [
  "CRC32",
  "CRC32C",
  "CRC64NVME",
  "MD5",
  "SHA1",
  "SHA256",
  "SHA512",
  "XXHASH64",
  "XXHASH3",
  "XXHASH128",
] as const;

export type S3ChecksumAlgorithm = (typeof S3_CHECKSUM_ALGORITHMS)[number];

/** The algorithms objbatch computes. */
export const SUPPORTED_CHECKSUM_ALGORITHMS = [
  "CRC32",
  "CRC32C",
  "CRC64NVME",
  "MD5",
  "SHA1",
  "SHA256",
  "SHA512",
] as const satisfies readonly S3ChecksumAlgorithm[];

export type ChecksumAlgorithm = (typeof SUPPORTED_CHECKSUM_ALGORITHMS)[number];

export type AlgorithmLookup =
  | { readonly kind: "supported"; readonly algorithm: ChecksumAlgorithm }
  /** An algorithm S3 knows that objbatch does not compute. */
  | { readonly kind: "unsupported"; readonly algorithm: S3ChecksumAlgorithm }
  | { readonly kind: "unknown"; readonly name: string };

const SUPPORTED: ReadonlySet<string> = new Set(SUPPORTED_CHECKSUM_ALGORITHMS);
const KNOWN: ReadonlySet<string> = new Set(S3_CHECKSUM_ALGORITHMS);

/** Looks an algorithm name up, ignoring case and surrounding spaces (`crc32c` is `CRC32C`). */
export function lookUpAlgorithm(name: string): AlgorithmLookup {
  const upper = String(name ?? "")
    .trim()
    .toUpperCase();
  if (SUPPORTED.has(upper)) return { kind: "supported", algorithm: upper as ChecksumAlgorithm };
  if (KNOWN.has(upper)) return { kind: "unsupported", algorithm: upper as S3ChecksumAlgorithm };
  return { kind: "unknown", name: String(name ?? "") };
}
