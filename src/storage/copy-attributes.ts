/**
 * What a copy gives the new object: its metadata, tags and ACL, worked out from the copy's directives
 * (copy-directives.ts) and the source's values. One rule for every kind of copy: inside a local directory
 * (local/object-copy.ts), server-side on an S3 endpoint (s3/object-copy.ts) and between two stores
 * (cross-store-copy.ts).
 *
 * - Copy keeps the source's value, Replaced takes the requested one alone, Add merges the requested one over
 *   the source's (object-attributes.ts).
 * - The tag set a copy writes (Replaced or Add) is checked against S3's tag rules before anything is written, on
 *   every backend: a merge can exceed 10 tags even when both halves are valid, and S3-compatible servers that
 *   ignore the tagging of a copy (s3rver, Ceph RGW 16) would otherwise take the object and keep no rule at all.
 * - The source's owner never travels: as with S3's CopyObject, whoever makes the copy owns it. An ACL directive
 *   of Copy or Add carries the source's canned ACL and grants only; Replaced without an ACL gives the new
 *   object the store's default (private).
 */
import type { AccessControlList, Tag } from "../domain/job.js";
import type { Directive } from "./copy-directives.js";
import { checkTags, mergeAcl, mergeMetadata, mergeTags } from "./object-attributes.js";
import type { ObjectMetadata } from "./types.js";

/** The new object's metadata. `source` is read only by Copy and Add. */
export function copiedMetadata(
  directive: Directive,
  source: ObjectMetadata,
  requested: ObjectMetadata | undefined,
): ObjectMetadata {
  if (directive === "Copy") return source;
  if (directive === "Replaced") return requested ?? {};
  return mergeMetadata(source, requested);
}

/** The new object's tags, checked when they are not the source's own (400 BadRequest, InvalidTag). */
export function copiedTags(
  directive: Directive,
  source: readonly Tag[],
  requested: readonly Tag[] | undefined,
): readonly Tag[] {
  if (directive === "Copy") return source;
  if (directive === "Replaced") return checkTags(requested ?? []);
  return checkTags(mergeTags(source, requested ?? []));
}

/**
 * The new object's ACL, or undefined for the store's default (private). `source` is read only by Copy and Add;
 * its owner is dropped.
 */
export function copiedAcl(
  directive: Directive,
  source: AccessControlList,
  requested: AccessControlList | undefined,
): AccessControlList | undefined {
  if (directive === "Replaced") return requested;
  const { owner: _owner, ...withoutOwner } = source;
  return directive === "Copy" ? withoutOwner : mergeAcl(withoutOwner, requested ?? {});
}
