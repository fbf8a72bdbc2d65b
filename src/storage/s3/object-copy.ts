/**
 * CopyObject on one S3 endpoint, server-side. The new object's metadata, tags and ACL follow the rule every
 * backend shares (../copy-attributes.ts), mapped onto CopyObject: Copy and Replaced are S3's COPY and REPLACE;
 * Add reads the source's metadata (HEAD) or tags (GetObjectTagging) and REPLACEs them with the merge. S3 never
 * copies ACLs, so an ACL directive of Copy or Add reads the source's ACL.
 *
 * Objects over the multipart threshold (5 GiB, S3's CopyObject limit, unless configured lower) are copied part by
 * part (multipart-copy.ts); so is an object a server refuses as too large for one CopyObject. The source
 * preconditions are checked here as well as sent (some S3-compatible servers ignore x-amz-copy-source-if-*), and
 * tags and locks the server ignored are set afterwards (write-checks.ts). The CopyObject itself goes by the
 * signed-request path (signed-requests.ts), a quarter of the SDK's CPU per request, unless only the SDK can send it.
 */
import { CopyObjectCommand, type CopyObjectCommandInput } from "@aws-sdk/client-s3";
import type { Tag } from "../../domain/job.js";
import { copiedAcl, copiedMetadata, copiedTags } from "../copy-attributes.js";
import { copyDirectives } from "../copy-directives.js";
import { checkCopyPreconditions, hasCopyPreconditions } from "../copy-preconditions.js";
import { quoteEtag } from "../etag.js";
import type { CopyOptions, ObjectInfo, WriteResult } from "../types.js";
import { aclRequestFields, copySource, metadataToS3, tagsToQuery, targetSettingsToS3 } from "./attributes.js";
import { completedWrite, type S3Backend, writeResult } from "./backend.js";
import { MAX_SINGLE_COPY_BYTES } from "./config.js";
import { copyObjectHeaders } from "./copy-object-headers.js";
import { toStorageError } from "./errors.js";
import { multipartCopy } from "./multipart-copy.js";
import { xmlText } from "./signed-requests.js";
import type { WriteKind } from "./write-checks.js";

const COPY_PART_CONCURRENCY = 4;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type CopyInput = Mutable<CopyObjectCommandInput> & { Bucket: string; Key: string; CopySource: string };

export async function copyObject(
  backend: S3Backend,
  source: { bucket: string; key: string },
  target: { bucket: string; key: string },
  options: CopyOptions,
): Promise<WriteResult> {
  const { storage, config } = backend;
  const { metadataDirective, taggingDirective, aclDirective } = copyDirectives(options);
  const versionId = options.sourceVersionId;
  const smallThreshold = config.multipartCopyThresholdBytes < MAX_SINGLE_COPY_BYTES;

  const conditions = hasCopyPreconditions(options);
  let info =
    metadataDirective === "Add" || smallThreshold || conditions
      ? await storage.head(source.bucket, source.key, versionId)
      : undefined;
  if (conditions) checkCopyPreconditions(info!, options);
  const input: CopyInput = {
    Bucket: target.bucket,
    Key: target.key,
    CopySource: copySource(source.bucket, source.key, versionId),
    ...copyConditions(options, info?.etag),
    ...targetSettingsToS3(options),
    ...(options.storageClass !== undefined ? { StorageClass: options.storageClass as never } : {}),
  };

  if (metadataDirective !== "Copy") {
    const metadata = copiedMetadata(metadataDirective, info?.metadata ?? {}, options.metadata);
    Object.assign(input, { MetadataDirective: "REPLACE" }, metadataToS3(metadata));
  }
  let tags: readonly Tag[] | undefined;
  let sourceTags: readonly Tag[] | undefined;
  if (taggingDirective !== "Copy") {
    if (taggingDirective === "Add") sourceTags = await storage.getTagging(source.bucket, source.key, versionId);
    tags = copiedTags(taggingDirective, sourceTags ?? [], options.tags);
    Object.assign(input, { TaggingDirective: "REPLACE", Tagging: tagsToQuery(tags) });
  }
  const sourceAcl = aclDirective === "Replaced" ? {} : await storage.getAcl(source.bucket, source.key, versionId);
  const acl = copiedAcl(aclDirective, sourceAcl, options.acl);
  const aclFields = acl ? aclRequestFields(acl) : {};
  Object.assign(input, aclFields ?? {});

  let result: WriteResult;
  let kind: WriteKind = "copy";
  try {
    if (info !== undefined && info.size > config.multipartCopyThresholdBytes) {
      kind = "multipart";
      ({ result, tags } = await copyInParts(backend, input, info, metadataDirective, tags));
    } else {
      try {
        result = await sendCopyObject(backend, input);
      } catch (e) {
        if (!isTooLargeToCopy(e)) throw e;
        info ??= await storage.head(source.bucket, source.key, versionId);
        kind = "multipart";
        ({ result, tags } = await copyInParts(backend, input, info, metadataDirective, tags));
      }
    }
  } catch (e) {
    throw toStorageError(e, target.bucket, target.key);
  }
  if (tags !== undefined && (kind === "copy" || tags.length > 0)) {
    const sent = tags;
    const otherwise = async () =>
      kind === "multipart" ? [] : (sourceTags ?? (await storage.getTagging(source.bucket, source.key, versionId)));
    await backend.checks.ensureTags(kind, target, sent, result, otherwise);
  }
  await backend.checks.ensureLock(kind, target, options, result);
  if (acl && aclFields === undefined) await storage.putAcl(target.bucket, target.key, acl, result.versionId);
  return result;
}

/** One CopyObject: by the signed-request path, or by the SDK for a bucket or a field only the SDK serves. */
async function sendCopyObject(backend: S3Backend, input: CopyInput): Promise<WriteResult> {
  const headers = copyObjectHeaders(input);
  const answer =
    headers && (await backend.clients.signed.send({ method: "PUT", bucket: input.Bucket, key: input.Key, headers }));
  if (answer) {
    const version = answer.headers["x-amz-version-id"];
    return writeResult(xmlText(answer.body, "ETag"), typeof version === "string" ? version : undefined);
  }
  const out = await backend.clients.single.send(new CopyObjectCommand(input));
  return writeResult(out.CopyObjectResult?.ETag, out.VersionId);
}

/**
 * The multipart path: CreateMultipartUpload takes no directives, so what COPY would have kept is spelled out
 * (the source's metadata from its HEAD, its tags from GetObjectTagging).
 */
async function copyInParts(
  backend: S3Backend,
  input: CopyInput,
  info: ObjectInfo,
  metadataDirective: string,
  requestedTags: readonly Tag[] | undefined,
): Promise<{ result: WriteResult; tags: readonly Tag[] }> {
  const full = { ...input };
  if (metadataDirective === "Copy") Object.assign(full, metadataToS3(info.metadata));
  const tags =
    requestedTags ??
    (await backend.storage.getTagging(
      info.bucket,
      info.key,
      input.CopySource.includes("?versionId=") ? info.versionId : undefined,
    ));
  if (tags.length > 0) full.Tagging = tagsToQuery(tags);
  if (full.StorageClass === undefined && info.storageClass !== "STANDARD")
    full.StorageClass = info.storageClass as never;
  const out = await multipartCopy(backend.clients.single, {
    input: full,
    size: info.size,
    partBytes: backend.config.partSizeBytes,
    concurrency: COPY_PART_CONCURRENCY,
  });
  return { result: await completedWrite(backend, input.Bucket, input.Key, out.ETag, out.VersionId), tags };
}

/** The copy's source conditions; with a HEAD'd source, pinned to the ETag the preconditions were checked on. */
function copyConditions(options: CopyOptions, checkedEtag: string | undefined): Partial<CopyObjectCommandInput> {
  const ifMatch = options.ifMatch ?? (hasCopyPreconditions(options) ? checkedEtag : undefined);
  return {
    ...(ifMatch !== undefined ? { CopySourceIfMatch: quoteEtag(ifMatch) } : {}),
    ...(options.ifModifiedSince !== undefined ? { CopySourceIfModifiedSince: options.ifModifiedSince } : {}),
    ...(options.ifUnmodifiedSince !== undefined ? { CopySourceIfUnmodifiedSince: options.ifUnmodifiedSince } : {}),
  };
}

/** AWS answers a CopyObject of more than 5 GiB with 400 InvalidRequest; some compatibles say EntityTooLarge. */
function isTooLargeToCopy(e: unknown): boolean {
  const err = e as { name?: string; message?: string };
  return (
    err?.name === "EntityTooLarge" ||
    (err?.name === "InvalidRequest" && /larger than the maximum allowable size/i.test(err.message ?? ""))
  );
}
