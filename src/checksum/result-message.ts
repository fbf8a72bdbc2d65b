/**
 * What a ComputeObjectChecksum task writes into its report row's ResultMessage: one JSON object (AWS delivers
 * compute-checksum results in the completion report without publishing the layout, so objbatch picks one that
 * a program can parse and a person can read):
 *
 *   {"algorithm":"CRC32C","checksumType":"FULL_OBJECT","base64":"4waSgw==","hex":"e3069283"}
 *
 * - algorithm: S3's name (CRC32, CRC32C, CRC64NVME, MD5, SHA1, SHA256, SHA512).
 * - checksumType: FULL_OBJECT (the checksum of the object's bytes from first to last).
 * - base64: as S3 sends it in x-amz-checksum-<algorithm> headers (CRCs as big-endian bytes).
 * - hex: the same bytes in lower-case hex (for CRCs, the familiar 0x... value; for MD5, the ETag of a
 *   single-part upload).
 *
 * In the CSV report the JSON is one field, quoted with its quotes doubled, as report-row.ts does for every field.
 */
import type { ChecksumAlgorithm } from "./algorithms.js";

export type ChecksumType = "FULL_OBJECT" | "COMPOSITE";

export interface ChecksumResultMessage {
  readonly algorithm: ChecksumAlgorithm;
  readonly checksumType: ChecksumType;
  readonly base64: string;
  readonly hex: string;
}

export function checksumResult(
  algorithm: ChecksumAlgorithm,
  checksumType: ChecksumType,
  digest: Buffer,
): ChecksumResultMessage {
  return { algorithm, checksumType, base64: digest.toString("base64"), hex: digest.toString("hex") };
}

/** The ResultMessage text; keys in the documented order. */
export function formatChecksumMessage(result: ChecksumResultMessage): string {
  return JSON.stringify({
    algorithm: result.algorithm,
    checksumType: result.checksumType,
    base64: result.base64,
    hex: result.hex,
  });
}
