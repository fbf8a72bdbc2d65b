/**
 * Object attributes (metadata, tags, ACL, storage class) of the local backend: defaults, validation as S3
 * does it, conversion to and from metadata rows, and the Copy / Replaced / Add directives of copy().
 */
import path from "node:path";
import mime from "mime-types";
import type { AccessControlList, Grant, Tag } from "../../domain/job.js";
import { type ObjectMetadata, StorageError } from "../types.js";
import type { ObjectRow } from "./metadata-db.js";

export const DEFAULT_STORAGE_CLASS = "STANDARD";
export const DEFAULT_CONTENT_TYPE = "application/octet-stream";
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

export function contentTypeFor(key: string): string {
  return mime.lookup(key) || DEFAULT_CONTENT_TYPE;
}

/** Whether two keys get the same default content type (cheap when their extensions match). */
export function sameDefaultContentType(a: string, b: string): boolean {
  const ea = path.posix.extname(a);
  const eb = path.posix.extname(b);
  return ea.toLowerCase() === eb.toLowerCase() || contentTypeFor(a) === contentTypeFor(b);
}

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

/** Merges `extra` into `base`: a tag of `extra` wins over one of `base` with the same key. */
export function mergeTags(base: readonly Tag[], extra: readonly Tag[]): Tag[] {
  const merged = new Map<string, string>();
  for (const t of base) merged.set(t.key, t.value);
  for (const t of extra) merged.set(t.key, t.value);
  return [...merged].map(([key, value]) => ({ key, value }));
}

export function checkAcl(acl: AccessControlList): AccessControlList {
  if (acl.canned !== undefined && !CANNED_ACLS.has(acl.canned)) {
    throw new StorageError("InvalidArgument", 400, `Unknown canned ACL: ${JSON.stringify(acl.canned)}`);
  }
  for (const g of acl.grants ?? []) {
    if (!g.identifier) throw new StorageError("InvalidArgument", 400, "A grant has an empty grantee identifier");
  }
  return acl;
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

function compactAcl(acl: AccessControlList): AccessControlList {
  const out: { canned?: string; grants?: readonly Grant[]; owner?: AccessControlList["owner"] } = {};
  if (acl.canned !== undefined) out.canned = acl.canned;
  if (acl.grants !== undefined && acl.grants.length > 0) out.grants = acl.grants;
  if (acl.owner !== undefined) out.owner = acl.owner;
  return out;
}

/** The ACL as stored: NULL when it is the default private ACL. */
export function aclToColumn(acl: AccessControlList): string | null {
  const c = compactAcl(acl);
  if (c.grants === undefined && c.owner === undefined && (c.canned === undefined || c.canned === "private"))
    return null;
  return JSON.stringify(c);
}

export const aclFromRow = (row: ObjectRow | undefined): AccessControlList =>
  row?.acl ? (JSON.parse(row.acl) as AccessControlList) : PRIVATE_ACL;

export const tagsToColumn = (tags: readonly Tag[]): string | null =>
  tags.length === 0 ? null : JSON.stringify(tags.map((t) => ({ key: t.key, value: t.value })));

export const tagsFromRow = (row: ObjectRow | undefined): Tag[] => (row?.tags ? (JSON.parse(row.tags) as Tag[]) : []);

export const storageClassFromRow = (row: ObjectRow | undefined): string => row?.storage_class ?? DEFAULT_STORAGE_CLASS;

export const storageClassToColumn = (storageClass: string | undefined): string | null =>
  storageClass === undefined || storageClass === DEFAULT_STORAGE_CLASS ? null : storageClass;

/** The metadata an object shows: stored values, with the content type defaulting from the key's extension. */
export function metadataFromRow(row: ObjectRow | undefined, key: string): ObjectMetadata {
  const m: {
    -readonly [K in keyof ObjectMetadata]: ObjectMetadata[K];
  } = { contentType: row?.content_type ?? contentTypeFor(key) };
  if (row === undefined) return m;
  if (row.cache_control !== null) m.cacheControl = row.cache_control;
  if (row.content_disposition !== null) m.contentDisposition = row.content_disposition;
  if (row.content_encoding !== null) m.contentEncoding = row.content_encoding;
  if (row.content_language !== null) m.contentLanguage = row.content_language;
  if (row.expires !== null) m.expires = row.expires;
  if (row.user_metadata !== null) m.userMetadata = JSON.parse(row.user_metadata) as Record<string, string>;
  return m;
}

type MetadataColumns = Pick<
  ObjectRow,
  | "content_type"
  | "cache_control"
  | "content_disposition"
  | "content_encoding"
  | "content_language"
  | "expires"
  | "user_metadata"
>;

/**
 * The metadata columns for an object at `key`. A content type equal to the key's default is stored as NULL, so
 * an object whose metadata is all default needs no row.
 */
export function metadataToColumns(m: ObjectMetadata | undefined, key: string): MetadataColumns {
  const user = m?.userMetadata;
  let userJson: string | null = null;
  if (user !== undefined && Object.keys(user).length > 0) {
    const lower: Record<string, string> = {};
    for (const [k, v] of Object.entries(user)) lower[k.toLowerCase()] = String(v);
    userJson = JSON.stringify(lower);
  }
  const ct = m?.contentType;
  return {
    content_type: ct === undefined || ct === "" || ct === contentTypeFor(key) ? null : ct,
    cache_control: m?.cacheControl ?? null,
    content_disposition: m?.contentDisposition ?? null,
    content_encoding: m?.contentEncoding ?? null,
    content_language: m?.contentLanguage ?? null,
    expires: m?.expires ?? null,
    user_metadata: userJson,
  };
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
