/**
 * Object attributes (metadata, tags, ACL, storage class) as the local backend keeps them in its metadata rows:
 * defaults, and conversion to and from the row's columns. Every attribute column is NULL when it holds the
 * default, so an object with default attributes needs no row. What a valid attribute is, and how two merge, is
 * the same for every store (../object-attributes.ts).
 */
import path from "node:path";
import mime from "mime-types";
import type { AccessControlList, Tag } from "../../domain/job.js";
import { compactAcl, DEFAULT_STORAGE_CLASS, PRIVATE_ACL } from "../object-attributes.js";
import type { ObjectMetadata } from "../types.js";
import type { ObjectRow } from "./metadata-db.js";

export const DEFAULT_CONTENT_TYPE = "application/octet-stream";

export function contentTypeFor(key: string): string {
  return mime.lookup(key) || DEFAULT_CONTENT_TYPE;
}

/** Whether two keys get the same default content type (cheap when their extensions match). */
export function sameDefaultContentType(a: string, b: string): boolean {
  if (a === b) return true; // a copy that keeps the key: nothing to compare
  const ea = path.posix.extname(a);
  const eb = path.posix.extname(b);
  return ea.toLowerCase() === eb.toLowerCase() || contentTypeFor(a) === contentTypeFor(b);
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

export const storageClassFromRow = (row: Pick<ObjectRow, "storage_class"> | undefined): string =>
  row?.storage_class ?? DEFAULT_STORAGE_CLASS;

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
