/**
 * Multipart uploads on an S3 endpoint: S3's own, one request each (the report writer uploads its results files
 * part by part this way). S3's part rules are checked here too (../multipart-parts.ts), since s3rver checks
 * none of them. What s3rver and Ceph RGW 16 make of each request is noted at each function.
 */

import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { internalError } from "../errors.js";
import { quoteEtag } from "../etag.js";
import { checkCompletedParts, checkPartNumber } from "../multipart-parts.js";
import { type PartBody, partChunks } from "../part-body.js";
import type { ObjectMetadata, PendingUpload, UploadedPart, WriteResult } from "../types.js";
import { metadataToS3 } from "./attributes.js";
import { completedWrite, type S3Backend } from "./backend.js";
import { toStorageError } from "./errors.js";

const LIST_PAGE = 1000;

/** CreateMultipartUpload, with the object's metadata (Content-Type and the rest) sent as headers. */
export async function createMultipartUpload(
  backend: S3Backend,
  bucket: string,
  key: string,
  options: { metadata?: ObjectMetadata },
): Promise<string> {
  let uploadId: string | undefined;
  try {
    const out = await backend.clients.single.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...metadataToS3(options.metadata) }),
    );
    uploadId = out.UploadId;
  } catch (e) {
    throw toStorageError(e, bucket, key);
  }
  if (!uploadId) throw internalError(`CreateMultipartUpload of ${bucket}/${key} gave no UploadId`);
  return uploadId;
}

/**
 * UploadPart. s3rver neither checks the upload ID (a part for an upload it never started is stored under that
 * ID) nor enforces part sizes; radosgw and AWS answer an unknown upload with 404 NoSuchUpload.
 */
export async function uploadPart(
  backend: S3Backend,
  bucket: string,
  key: string,
  uploadId: string,
  partNumber: number,
  body: PartBody,
): Promise<UploadedPart> {
  checkPartNumber(partNumber);
  // A stream goes with its length (S3 wants it), counted as it is sent; one that fails (ends short, runs long)
  // aborts the request, which the SDK would otherwise leave waiting for the rest of the body.
  const sized = Buffer.isBuffer(body) ? undefined : Readable.from(partChunks(body, bucket, key));
  const abort = new AbortController();
  let bodyError: unknown;
  sized?.once("error", (e) => {
    bodyError = e;
    abort.abort();
  });
  let etag: string | undefined;
  try {
    const out = await backend.clients.single.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: partNumber,
        ...(Buffer.isBuffer(body) ? { Body: body } : { Body: sized, ContentLength: body.length }),
      }),
      { abortSignal: abort.signal },
    );
    etag = out.ETag;
  } catch (e) {
    throw toStorageError(bodyError ?? e, bucket, key);
  }
  if (!etag) throw internalError(`UploadPart ${partNumber} of ${bucket}/${key} gave no ETag`);
  return { partNumber, etag };
}

/**
 * CompleteMultipartUpload. The part list is checked here too (at least one part, ascending part numbers), as
 * s3rver checks nothing: it sorts the parts, ignores their ETags and answers a plain MD5 of the whole object;
 * it answers an upload it does not know (completed, never created) with 500 InternalError, not NoSuchUpload,
 * and a part listed but never uploaded crashes it (an unhandled stream error). Ceph RGW 16 can answer an empty
 * ETag, read back with a HEAD then (completedWrite); like AWS, it answers a completion repeated after success
 * with 200 again; it wants every uploaded part listed, from part 1 on (else 400 InvalidPart); and it answers
 * the completion of an aborted or never created upload with 500 InternalError "This multipart completion is
 * already in progress" rather than 404 NoSuchUpload. That 500 is left as it is (retryable): the same answer
 * means a real concurrent completion too.
 */
export async function completeMultipartUpload(
  backend: S3Backend,
  bucket: string,
  key: string,
  uploadId: string,
  parts: readonly UploadedPart[],
): Promise<WriteResult> {
  checkCompletedParts(parts);
  try {
    const out = await backend.clients.single.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
      }),
    );
    // RGW answers a completion repeated after success with 200 and the ETag unquoted.
    return await completedWrite(backend, bucket, key, out.ETag ? quoteEtag(out.ETag) : undefined, out.VersionId);
  } catch (e) {
    throw toStorageError(e, bucket, key);
  }
}

/**
 * AbortMultipartUpload; an upload that is not there answers 404 NoSuchUpload. s3rver 3.7 does not implement
 * it: its router answers DELETE ?uploadId with 405 MethodNotAllowed, which surfaces as that StorageError.
 */
export async function abortMultipartUpload(
  backend: S3Backend,
  bucket: string,
  key: string,
  uploadId: string,
): Promise<void> {
  try {
    await backend.clients.single.send(
      new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }),
    );
  } catch (e) {
    throw toStorageError(e, bucket, key);
  }
}

/**
 * ListMultipartUploads with a prefix, page by page. s3rver 3.7 does not implement it: GET ?uploads answers
 * 501 NotImplemented, which surfaces as a (not retryable) StorageError; callers treat listing as best effort.
 */
export async function* listMultipartUploads(
  backend: S3Backend,
  bucket: string,
  prefix: string,
): AsyncGenerator<PendingUpload> {
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    let page: Awaited<ReturnType<typeof uploadsPage>>;
    try {
      page = await uploadsPage(backend, bucket, prefix, keyMarker, uploadIdMarker);
    } catch (e) {
      throw toStorageError(e, bucket, prefix);
    }
    for (const u of page.Uploads ?? []) {
      if (u.Key !== undefined && u.UploadId !== undefined) yield { key: u.Key, uploadId: u.UploadId };
    }
    // A truncated page must move the markers on; a server that does not would be asked the same page forever.
    const stuck = page.NextKeyMarker === keyMarker && page.NextUploadIdMarker === uploadIdMarker;
    if (!page.IsTruncated || stuck) return;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
}

function uploadsPage(
  backend: S3Backend,
  bucket: string,
  prefix: string,
  keyMarker: string | undefined,
  uploadIdMarker: string | undefined,
) {
  return backend.clients.single.send(
    new ListMultipartUploadsCommand({
      Bucket: bucket,
      MaxUploads: LIST_PAGE,
      ...(prefix ? { Prefix: prefix } : {}),
      ...(keyMarker !== undefined ? { KeyMarker: keyMarker } : {}),
      ...(uploadIdMarker !== undefined ? { UploadIdMarker: uploadIdMarker } : {}),
    }),
  );
}
