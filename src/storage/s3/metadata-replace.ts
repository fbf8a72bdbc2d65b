/**
 * An object's metadata replaced in place on S3 (Google putMetadata, D45): CopyObject onto itself with
 * MetadataDirective REPLACE, conditional on the ETag the caller read, keeping the storage class, encryption,
 * ACL and Object Lock (../in-place-copy.ts) and the tags (read and sent again). S3 changes only the current version this way (the copy
 * becomes the new current version), so a request naming another version is refused with 400 InvalidRequest
 * rather than turning an old version into the current one.
 */
import { StorageError } from "../errors.js";
import { inPlaceCopyOptions } from "../in-place-copy.js";
import type { ObjectMetadata, ReplaceMetadataOptions, WriteResult } from "../types.js";
import type { S3Backend } from "./backend.js";
import { copyObject } from "./object-copy.js";

export async function replaceMetadata(
  backend: S3Backend,
  bucket: string,
  key: string,
  metadata: ObjectMetadata,
  options: ReplaceMetadataOptions,
): Promise<WriteResult> {
  const { storage } = backend;
  const current = await storage.head(bucket, key);
  const named = options.versionId;
  if (named !== undefined && named !== "null" && named !== current.versionId) {
    throw new StorageError(
      "InvalidRequest",
      400,
      `S3 cannot change the metadata of a noncurrent version in place: ${bucket}/${key} version ${named} is not the current one`,
    );
  }
  const copy = inPlaceCopyOptions(current, backend.now(), named);
  // The tags go with the copy rather than by TaggingDirective COPY: Ceph RGW drops every tag of a copy whose
  // MetadataDirective is REPLACE. A server that ignores them gets them set afterwards (write-checks.ts).
  const tags = await storage.getTagging(bucket, key, named);
  return copyObject(
    backend,
    { bucket, key },
    { bucket, key },
    { ...copy, ifMatch: options.ifMatch, metadataDirective: "Replaced", metadata, taggingDirective: "Replaced", tags },
  );
}
