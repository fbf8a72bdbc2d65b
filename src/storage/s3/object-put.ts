/**
 * PutObject on an S3 endpoint: a Buffer or string in one request; a stream through the SDK's managed upload
 * (one request when it is small, a multipart upload of 8 MiB parts otherwise, its parts retried by the SDK
 * since no caller could replay the stream). Tags, Object Lock settings and an ACL go with the request where S3
 * takes them there, and are checked or set afterwards where this endpoint ignores them (write-checks.ts).
 */
import type { Readable } from "node:stream";
import { PutObjectCommand, type PutObjectCommandInput } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { PutOptions, WriteResult } from "../types.js";
import { aclRequestFields, metadataToS3, tagsToQuery, targetSettingsToS3 } from "./attributes.js";
import { completedWrite, type S3Backend, writeResult } from "./backend.js";
import { MIB } from "./config.js";
import { toStorageError } from "./errors.js";
import { putKind } from "./write-checks.js";

const UPLOAD_PART_BYTES = 8 * MIB;
const UPLOAD_QUEUE = 4;

export async function putObject(
  backend: S3Backend,
  bucket: string,
  key: string,
  body: Buffer | string | Readable,
  options: PutOptions,
): Promise<WriteResult> {
  const aclFields = options.acl ? aclRequestFields(options.acl) : {};
  const input: PutObjectCommandInput = {
    Bucket: bucket,
    Key: key,
    ...metadataToS3(options.metadata),
    ...(options.tags && options.tags.length > 0 ? { Tagging: tagsToQuery(options.tags) } : {}),
    ...(options.storageClass !== undefined ? { StorageClass: options.storageClass as never } : {}),
    ...(aclFields ?? {}),
    ...(options.settings ? targetSettingsToS3(options.settings) : {}),
  };
  let result: WriteResult;
  try {
    if (typeof body === "string" || Buffer.isBuffer(body)) {
      const out = await backend.clients.single.send(new PutObjectCommand({ ...input, Body: body }));
      result = writeResult(out.ETag, out.VersionId);
    } else {
      const upload = new Upload({
        client: backend.clients.streaming,
        params: { ...input, Body: body },
        partSize: UPLOAD_PART_BYTES,
        queueSize: UPLOAD_QUEUE,
        leavePartsOnError: false,
      });
      const out = await upload.done();
      result = await completedWrite(backend, bucket, key, out.ETag, out.VersionId);
    }
  } catch (e) {
    throw toStorageError(e, bucket, key);
  }
  const kind = putKind(result.etag);
  if (options.tags && options.tags.length > 0) {
    await backend.checks.ensureTags(kind, { bucket, key }, options.tags, result, async () => []);
  }
  if (options.settings) await backend.checks.ensureLock(kind, { bucket, key }, options.settings, result);
  if (options.acl && aclFields === undefined) await backend.storage.putAcl(bucket, key, options.acl, result.versionId);
  return result;
}
