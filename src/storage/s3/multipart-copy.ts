/**
 * Server-side copy of objects too large for one CopyObject (over 5 GiB, or over a configured threshold):
 * CreateMultipartUpload with the copy's settings, UploadPartCopy for each byte range of the source (a few at a
 * time), CompleteMultipartUpload; on any failure the upload is aborted so no parts are left behind.
 */
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  type CopyObjectCommandInput,
  CreateMultipartUploadCommand,
  type CreateMultipartUploadCommandInput,
  type S3Client,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { MAX_PART_BYTES, MAX_PARTS, MIN_PART_BYTES } from "./config.js";

export interface PartRange {
  readonly partNumber: number;
  /** Inclusive byte range of the source. */
  readonly start: number;
  readonly end: number;
}

/**
 * The parts of a copy of `size` bytes: `preferredPartBytes` each (the last one shorter), grown when that would
 * need more than 10,000 parts. Every part but the last is at least 5 MiB, as S3 requires.
 */
export function planCopyParts(size: number, preferredPartBytes: number): PartRange[] {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`invalid object size ${size}`);
  let partBytes = Math.min(MAX_PART_BYTES, Math.max(MIN_PART_BYTES, preferredPartBytes));
  if (Math.ceil(size / partBytes) > MAX_PARTS) partBytes = Math.ceil(size / MAX_PARTS);
  if (partBytes > MAX_PART_BYTES) throw new RangeError(`an object of ${size} bytes is too large to copy in parts`);
  const parts: PartRange[] = [];
  if (size === 0) return [{ partNumber: 1, start: 0, end: -1 }];
  for (let start = 0, n = 1; start < size; start += partBytes, n++) {
    parts.push({ partNumber: n, start, end: Math.min(size, start + partBytes) - 1 });
  }
  return parts;
}

/** The CopyObject fields that also apply to CreateMultipartUpload (everything but directives and conditions). */
type CopyInput = CopyObjectCommandInput & { Bucket: string; Key: string; CopySource: string };

export interface MultipartCopyRequest {
  readonly input: CopyInput;
  readonly size: number;
  readonly partBytes: number;
  /** UploadPartCopy requests in flight at once. */
  readonly concurrency: number;
}

export async function multipartCopy(
  client: S3Client,
  request: MultipartCopyRequest,
): Promise<{ ETag?: string; VersionId?: string }> {
  const { input } = request;
  const {
    CopySource,
    CopySourceIfMatch,
    CopySourceIfModifiedSince,
    CopySourceIfNoneMatch,
    CopySourceIfUnmodifiedSince,
    MetadataDirective: _m,
    TaggingDirective: _t,
    ...createFields
  } = input;
  const created = await client.send(
    new CreateMultipartUploadCommand(createFields as CreateMultipartUploadCommandInput),
  );
  const uploadId = created.UploadId;
  if (!uploadId) throw new Error(`CreateMultipartUpload for ${input.Bucket}/${input.Key} returned no UploadId`);
  try {
    const plan = planCopyParts(request.size, request.partBytes);
    const done: CompletedPart[] = new Array(plan.length);
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (next < plan.length && !failed) {
        const part = plan[next++]!;
        const out = await client.send(
          new UploadPartCopyCommand({
            Bucket: input.Bucket,
            Key: input.Key,
            UploadId: uploadId,
            PartNumber: part.partNumber,
            CopySource,
            ...(part.end >= part.start ? { CopySourceRange: `bytes=${part.start}-${part.end}` } : {}),
            CopySourceIfMatch,
            CopySourceIfModifiedSince,
            CopySourceIfNoneMatch,
            CopySourceIfUnmodifiedSince,
            RequestPayer: input.RequestPayer,
          }),
        );
        done[part.partNumber - 1] = {
          PartNumber: part.partNumber,
          ETag: out.CopyPartResult?.ETag,
          ...(out.CopyPartResult?.ChecksumCRC32 ? { ChecksumCRC32: out.CopyPartResult.ChecksumCRC32 } : {}),
          ...(out.CopyPartResult?.ChecksumCRC32C ? { ChecksumCRC32C: out.CopyPartResult.ChecksumCRC32C } : {}),
          ...(out.CopyPartResult?.ChecksumSHA1 ? { ChecksumSHA1: out.CopyPartResult.ChecksumSHA1 } : {}),
          ...(out.CopyPartResult?.ChecksumSHA256 ? { ChecksumSHA256: out.CopyPartResult.ChecksumSHA256 } : {}),
        };
      }
    };
    // Every worker stops taking parts after the first failure; the upload is aborted once none is in flight.
    const settled = await Promise.allSettled(
      Array.from({ length: Math.max(1, Math.min(request.concurrency, plan.length)) }, () =>
        worker().catch((e: unknown) => {
          failed = true;
          throw e;
        }),
      ),
    );
    const failure = settled.find((r) => r.status === "rejected");
    if (failure) throw failure.reason;
    const completed = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: input.Bucket,
        Key: input.Key,
        UploadId: uploadId,
        MultipartUpload: { Parts: done },
        RequestPayer: input.RequestPayer,
      }),
    );
    return { ETag: completed.ETag, VersionId: completed.VersionId };
  } catch (e) {
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: input.Bucket, Key: input.Key, UploadId: uploadId }))
      .catch(() => {});
    throw e;
  }
}
