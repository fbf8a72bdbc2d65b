/**
 * S3's rules for an object's attributes, whichever store holds the object: what a valid tag set, ACL and
 * storage-class name are, and how two tag sets, ACLs or metadata merge (the Add directives of copies and the
 * AddObjectTagging operation). The local backend checks every write against them; copies on every backend
 * check the tag set they are about to give the new object (copy-attributes.ts).
 */
import type { AccessControlList, Grant, Tag } from "../domain/job.js";
import { StorageError } from "./errors.js";
import type { ObjectMetadata } from "./types.js";

export const DEFAULT_STORAGE_CLASS = "STANDARD";
export const PRIVATE_ACL: AccessControlList = Object.freeze({ canned: "private" });
export const MAX_TAGS = 10;

const CANNED_ACLS: ReadonlySet<string> = new Set([
  "private",
  "public-read",
  "public-read-write",
  "authenticated-read",
  "aws-exec-read",
  "bucket-owner-read",
  "bucket-owner-full-control",
  "log-delivery-write",
  // OSS: the object inherits the bucket's ACL.
  "default",
]);
const STORAGE_CLASS = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** 400 InvalidStorageClass for a name that cannot be a storage class. */
export function checkStorageClass(storageClass: string): string {
  if (!STORAGE_CLASS.test(storageClass)) {
    throw new StorageError(
      "InvalidStorageClass",
      400,
      `The storage class you specified is not valid: ${JSON.stringify(storageClass)}`,
    );
  }
  return storageClass;
}

/** S3's tag rules: at most 10 tags, keys 1-128 characters, values 0-256, no duplicate keys. */
export function checkTags(tags: readonly Tag[]): readonly Tag[] {
  if (tags.length > MAX_TAGS) {
    throw new StorageError("BadRequest", 400, `Object tags cannot be greater than ${MAX_TAGS} (got ${tags.length})`);
  }
  const seen = new Set<string>();
  for (const t of tags) {
    if (typeof t?.key !== "string" || t.key.length < 1 || t.key.length > 128) {
      throw new StorageError("InvalidTag", 400, `The TagKey you have provided is invalid: ${JSON.stringify(t?.key)}`);
    }
    if (typeof t.value !== "string" || t.value.length > 256) {
      throw new StorageError("InvalidTag", 400, `The TagValue you have provided is invalid for key ${t.key}`);
    }
    if (seen.has(t.key)) {
      throw new StorageError("InvalidTag", 400, `Cannot provide multiple Tags with the same key: ${t.key}`);
    }
    seen.add(t.key);
  }
  return tags;
}

/** 400 InvalidArgument for an unknown canned ACL or a grant without a grantee. */
export function checkAcl(acl: AccessControlList): AccessControlList {
  if (acl.canned !== undefined && !CANNED_ACLS.has(acl.canned)) {
    throw new StorageError("InvalidArgument", 400, `Unknown canned ACL: ${JSON.stringify(acl.canned)}`);
  }
  for (const g of acl.grants ?? []) {
    if (!g.identifier) throw new StorageError("InvalidArgument", 400, "A grant has an empty grantee identifier");
  }
  return acl;
}

/** Merges `extra` into `base`: a tag of `extra` wins over one of `base` with the same key. */
export function mergeTags(base: readonly Tag[], extra: readonly Tag[]): Tag[] {
  const merged = new Map<string, string>();
  for (const t of base) merged.set(t.key, t.value);
  for (const t of extra) merged.set(t.key, t.value);
  return [...merged].map(([key, value]) => ({ key, value }));
}

const grantId = (g: Grant): string => `${g.granteeType}\u0000${g.identifier}\u0000${g.permission}`;

/** Merges two ACLs: grants of both (without duplicates); the added canned ACL and owner win when present. */
export function mergeAcl(base: AccessControlList, extra: AccessControlList): AccessControlList {
  const grants = new Map<string, Grant>();
  for (const g of base.grants ?? []) grants.set(grantId(g), g);
  for (const g of extra.grants ?? []) grants.set(grantId(g), g);
  return compactAcl({
    canned: extra.canned ?? base.canned,
    grants: [...grants.values()],
    owner: extra.owner ?? base.owner,
  });
}

/** The ACL without empty fields (no `grants: []`, nothing undefined). */
export function compactAcl(acl: AccessControlList): AccessControlList {
  const out: { canned?: string; grants?: readonly Grant[]; owner?: AccessControlList["owner"] } = {};
  if (acl.canned !== undefined) out.canned = acl.canned;
  if (acl.grants !== undefined && acl.grants.length > 0) out.grants = acl.grants;
  if (acl.owner !== undefined) out.owner = acl.owner;
  return out;
}

/** Metadata `extra` merged over `base`: given fields win, user metadata merges key by key. */
export function mergeMetadata(base: ObjectMetadata, extra: ObjectMetadata | undefined): ObjectMetadata {
  if (extra === undefined) return base;
  const merged: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && k !== "userMetadata") merged[k] = v;
  const user = { ...(base.userMetadata ?? {}) };
  for (const [k, v] of Object.entries(extra.userMetadata ?? {})) user[k.toLowerCase()] = v;
  if (Object.keys(user).length > 0) merged.userMetadata = user;
  return merged as ObjectMetadata;
}
