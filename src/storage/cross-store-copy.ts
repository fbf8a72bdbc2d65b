/**
 * A copy between two different stores (say an S3 endpoint and a local directory): the source is streamed from
 * one into the other, and what a server-side copy keeps or replaces is worked out here, by the rule every copy
 * follows (copy-attributes.ts).
 *
 * As S3's CopyObject does: preconditions are checked against the source's HEAD (and the read is pinned to its
 * ETag, so a source replaced in between fails with 412 instead of copying a mix), an archived source answers
 * 403 InvalidObjectState, and the storage class is the one asked for (not the source's).
 */

import { copiedAcl, copiedMetadata, copiedTags } from "./copy-attributes.js";
import { copyDirectives } from "./copy-directives.js";
import { checkCopyPreconditions } from "./copy-preconditions.js";
import { invalidObjectState } from "./errors.js";
import type { CopyOptions, ObjectStorage, TargetSettings, WriteResult } from "./types.js";

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
  if (info.archived) {
    throw invalidObjectState(
      source.bucket,
      source.key,
      `it is in the archive storage class ${info.storageClass} and must be restored first`,
    );
  }

  const metadata = copiedMetadata(metadataDirective, info.metadata, options.metadata);
  const sourceTags = taggingDirective === "Replaced" ? [] : await from.getTagging(source.bucket, source.key, versionId);
  const tags = copiedTags(taggingDirective, sourceTags, options.tags);
  const sourceAcl = aclDirective === "Replaced" ? {} : await from.getAcl(source.bucket, source.key, versionId);
  const acl = copiedAcl(aclDirective, sourceAcl, options.acl);

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
