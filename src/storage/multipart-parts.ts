/**
 * S3's rules for the parts of a multipart upload, checked alike by every backend (s3rver, for one, checks
 * neither): part numbers are integers from 1 to 10,000, and CompleteMultipartUpload lists at least one part, in
 * strictly ascending order of part number. The 5 MiB minimum of every part but the last is the server's business.
 */
import { StorageError } from "./errors.js";
import type { UploadedPart } from "./types.js";

export const MAX_PART_NUMBER = 10_000;

export const isPartNumber = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= MAX_PART_NUMBER;

/** 400 InvalidArgument, as S3 answers UploadPart with a part number out of range. */
export function checkPartNumber(partNumber: number): void {
  if (!isPartNumber(partNumber)) {
    throw new StorageError(
      "InvalidArgument",
      400,
      `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive (got ${partNumber})`,
    );
  }
}

/** 400 MalformedXML for an empty list, 400 InvalidPartOrder unless the part numbers ascend strictly. */
export function checkCompletedParts(parts: readonly UploadedPart[]): void {
  if (parts.length === 0) {
    throw new StorageError(
      "MalformedXML",
      400,
      "The XML you provided was not well-formed or did not validate against our published schema (no parts)",
    );
  }
  let previous = 0;
  for (const part of parts) {
    if (!(part.partNumber > previous)) {
      throw new StorageError(
        "InvalidPartOrder",
        400,
        `The list of parts was not in ascending order. The parts list must be specified in order by part number (part ${part.partNumber} after part ${previous}).`,
      );
    }
    previous = part.partNumber;
  }
}
