/**
 * A copy between two different stores (say an S3 endpoint and a local directory): the source is streamed from
 * one into the other, and what a server-side copy keeps or replaces is worked out here from the directives.
 *
 * As S3's CopyObject does: preconditions are checked against the source's HEAD (and the read is pinned to its
 * ETag, so a source replaced in between fails with 412 instead of copying a mix), an archived source answers
 * 403 InvalidObjectState, the storage class is the one asked for (not the source's), and the ACL is the one
 * asked for unless the ACL directive says Copy or Add. The source's owner never travels: the target store has
 * its own.
 */

import { copyDirectives } from "./copy-directives.js";
import { checkCopyPreconditions } from "./copy-preconditions.js";
import { mergeAcl, mergeMetadata, mergeTags } from "./local/attributes.js";
import { type CopyOptions, type ObjectStorage, StorageError, type TargetSettings, type WriteResult } from "./types.js";

/** The new object's settings a copy carries over to the put (every key of TargetSettings). */
const TARGET_SETTING_KEYS = [
  "sseAlgorithm",
  "sseKmsKeyId",
  "bucketKeyEnabled",
  "checksumAlgorithm",
  "objectLockMode",
  "objectLockRetainUntilDate",
  "objectLockLegalHold",
  "websiteRedirectLocation",
  "requesterPays",
] as const satisfies readonly (keyof TargetSettings)[];

export async function crossStoreCopy(
  from: ObjectStorage,
  to: ObjectStorage,
  source: { bucket: string; key: string },
  target: { bucket: string; key: string },
  options: CopyOptions = {},
): Promise<WriteResult> {
  const { metadataDirective, taggingDirective, aclDirective } = copyDirectives(options);
  const versionId = options.sourceVersionId;

  const info = await from.head(source.bucket, source.key, versionId);
  checkCopyPreconditions(info, options);
  const at = `${source.bucket}/${source.key}`;
  if (info.archived) {
    throw new StorageError(
      "InvalidObjectState",
      403,
      `The operation is not valid for the object's state: ${at} is in the archive storage class ${info.storageClass} and must be restored first`,
    );
  }

  const metadata =
    metadataDirective === "Copy"
      ? info.metadata
      : metadataDirective === "Replaced"
        ? (options.metadata ?? {})
        : mergeMetadata(info.metadata, options.metadata);
  const tags =
    taggingDirective === "Replaced"
      ? (options.tags ?? [])
      : taggingDirective === "Copy"
        ? await from.getTagging(source.bucket, source.key, versionId)
        : mergeTags(await from.getTagging(source.bucket, source.key, versionId), options.tags ?? []);
  let acl = options.acl;
  if (aclDirective !== "Replaced") {
    const { owner: _owner, ...sourceAcl } = await from.getAcl(source.bucket, source.key, versionId);
    acl = aclDirective === "Copy" ? sourceAcl : mergeAcl(sourceAcl, options.acl ?? {});
  }

  const settings = Object.fromEntries(
    TARGET_SETTING_KEYS.filter((k) => options[k] !== undefined).map((k) => [k, options[k]]),
  ) as TargetSettings;

  const body = await from.get(source.bucket, source.key, {
    ...(versionId !== undefined ? { versionId } : {}),
    ifMatch: info.etag,
  });
  try {
    return await to.put(target.bucket, target.key, body, {
      metadata,
      tags,
      ...(options.storageClass !== undefined ? { storageClass: options.storageClass } : {}),
      ...(acl !== undefined ? { acl } : {}),
      ...(Object.keys(settings).length > 0 ? { settings } : {}),
    });
  } finally {
    body.destroy();
  }
}
