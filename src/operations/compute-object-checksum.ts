/**
 * ComputeObjectChecksum (AWS S3ComputeObjectChecksum): reads the object (or the manifest's version) through
 * storage.get and computes its checksum. The result goes into the report row's ResultMessage as JSON (format
 * in checksum/result-message.ts), e.g. {"algorithm":"CRC32C","checksumType":"FULL_OBJECT","base64":...,"hex":...}.
 *
 * - Algorithms: CRC32, CRC32C, CRC64NVME, MD5, SHA1, SHA256, SHA512 (case-insensitive). XXHASH64/3/128, which
 *   S3 also names, and unknown names fail the task with 400 and change nothing.
 * - ChecksumType FULL_OBJECT (the default). COMPOSITE fails with 400 InvalidRequest: a composite checksum is
 *   built from the checksums of a multipart upload's parts, and objbatch's storage interface does not expose
 *   part boundaries, so it cannot be computed right.
 * - Archived objects fail as storage.get answers them (403 InvalidObjectState until restored), unlike S3,
 *   which reads its archive tiers itself.
 * Reading changes nothing, so a task is safe to repeat.
 */
import { lookUpAlgorithm, SUPPORTED_CHECKSUM_ALGORITHMS } from "../checksum/algorithms.js";
import { checksumResult, formatChecksumMessage } from "../checksum/result-message.js";
import { checksumStream } from "../checksum/stream-checksum.js";
import type { ComputeObjectChecksumOperation } from "../domain/job.js";
import { failed, succeeded, type TaskResult } from "../domain/task.js";
import { settle } from "./outcome.js";
import type { OperationRunner } from "./types.js";

export const computeObjectChecksum: OperationRunner<ComputeObjectChecksumOperation> = (task, operation, context) =>
  settle(context, async () => {
    const found = lookUpAlgorithm(operation.algorithm);
    if (found.kind !== "supported") return unsupportedAlgorithm(found);
    const checksumType = operation.checksumType ?? "FULL_OBJECT";
    if (checksumType !== "FULL_OBJECT") return unsupportedType(checksumType);
    const stream = await context.storage.get(
      task.bucket,
      task.key,
      task.versionId !== undefined ? { versionId: task.versionId } : {},
    );
    const { digest } = await checksumStream(stream, found.algorithm, context.signal);
    return succeeded(formatChecksumMessage(checksumResult(found.algorithm, "FULL_OBJECT", digest)));
  });

function unsupportedAlgorithm(found: Exclude<ReturnType<typeof lookUpAlgorithm>, { kind: "supported" }>): TaskResult {
  const supported = SUPPORTED_CHECKSUM_ALGORITHMS.join(", ");
  if (found.kind === "unsupported") {
    return failed(
      400,
      "InvalidRequest",
      `The checksum algorithm ${found.algorithm} is not supported by objbatch; use one of ${supported}`,
    );
  }
  return failed(
    400,
    "InvalidArgument",
    `Unknown checksum algorithm ${JSON.stringify(found.name)}; use one of ${supported}`,
  );
}

function unsupportedType(checksumType: string): TaskResult {
  if (checksumType === "COMPOSITE") {
    return failed(
      400,
      "InvalidRequest",
      "The COMPOSITE checksum type is not supported by objbatch: it is built from a multipart upload's part checksums, and objbatch's storage does not record part boundaries; use FULL_OBJECT",
    );
  }
  return failed(400, "InvalidArgument", `Unknown checksum type ${JSON.stringify(checksumType)}; use FULL_OBJECT`);
}
