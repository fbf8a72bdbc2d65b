/**
 * Object attributes as S3 carries them: metadata headers, the x-amz-tagging query string, ACL grant headers
 * and grant lists, the x-amz-restore header, and the request fields of a new object's settings.
 */
import type {
  CopyObjectCommandInput,
  Permission,
  PutObjectCommandInput,
  Grant as S3Grant,
  Tag as S3Tag,
} from "@aws-sdk/client-s3";
import type { AccessControlList, Grant, Tag } from "../../domain/job.js";
import { ARCHIVE_STORAGE_CLASSES } from "../archive.js";
import type { ObjectMetadata, RestoreState, TargetSettings } from "../types.js";

/** The SDK's fields for an object's system and user metadata. */
export interface S3MetadataFields {
  ContentType?: string;
  CacheControl?: string;
  ContentDisposition?: string;
  ContentEncoding?: string;
  ContentLanguage?: string;
  Expires?: Date;
  Metadata?: Record<string, string>;
}

export function metadataToS3(m: ObjectMetadata | undefined): S3MetadataFields {
  const out: S3MetadataFields = {};
  if (m === undefined) return out;
  if (m.contentType !== undefined) out.ContentType = m.contentType;
  if (m.cacheControl !== undefined) out.CacheControl = m.cacheControl;
  if (m.contentDisposition !== undefined) out.ContentDisposition = m.contentDisposition;
  if (m.contentEncoding !== undefined) out.ContentEncoding = m.contentEncoding;
  if (m.contentLanguage !== undefined) out.ContentLanguage = m.contentLanguage;
  if (m.expires !== undefined) {
    const at = new Date(/^\d+$/.test(m.expires) ? Number(m.expires) * 1000 : m.expires);
    if (Number.isFinite(at.getTime())) out.Expires = at;
  }
  if (m.userMetadata !== undefined && Object.keys(m.userMetadata).length > 0) {
    out.Metadata = Object.fromEntries(Object.entries(m.userMetadata).map(([k, v]) => [k.toLowerCase(), v]));
  }
  return out;
}

export function metadataFromS3(h: S3MetadataFields & { ExpiresString?: string }): ObjectMetadata {
  const m: { -readonly [K in keyof ObjectMetadata]: ObjectMetadata[K] } = {};
  if (h.ContentType !== undefined) m.contentType = h.ContentType;
  if (h.CacheControl !== undefined) m.cacheControl = h.CacheControl;
  if (h.ContentDisposition !== undefined) m.contentDisposition = h.ContentDisposition;
  if (h.ContentEncoding !== undefined) m.contentEncoding = h.ContentEncoding;
  if (h.ContentLanguage !== undefined) m.contentLanguage = h.ContentLanguage;
  const expires = h.ExpiresString ?? h.Expires?.toUTCString();
  if (expires !== undefined) m.expires = expires;
  if (h.Metadata !== undefined && Object.keys(h.Metadata).length > 0) {
    m.userMetadata = Object.fromEntries(Object.entries(h.Metadata).map(([k, v]) => [k.toLowerCase(), v]));
  }
  return m;
}

/** The x-amz-tagging header: a URL query string. */
export function tagsToQuery(tags: readonly Tag[]): string {
  return tags.map((t) => `${encodeURIComponent(t.key)}=${encodeURIComponent(t.value)}`).join("&");
}

export const tagsToS3 = (tags: readonly Tag[]): S3Tag[] => tags.map((t) => ({ Key: t.key, Value: t.value }));

export const tagsFromS3 = (tags: readonly S3Tag[] | undefined): Tag[] =>
  (tags ?? []).map((t) => ({ key: t.Key ?? "", value: t.Value ?? "" }));

const GRANTEE_TYPE = { id: "CanonicalUser", emailAddress: "AmazonCustomerByEmail", uri: "Group" } as const;

export function grantsToS3(grants: readonly Grant[]): S3Grant[] {
  return grants.map((g) => ({
    Permission: g.permission as Permission,
    Grantee: {
      Type: GRANTEE_TYPE[g.granteeType],
      ...(g.granteeType === "id" ? { ID: g.identifier } : {}),
      ...(g.granteeType === "emailAddress" ? { EmailAddress: g.identifier } : {}),
      ...(g.granteeType === "uri" ? { URI: g.identifier } : {}),
      ...(g.displayName !== undefined ? { DisplayName: g.displayName } : {}),
    },
  }));
}

export function grantsFromS3(grants: readonly S3Grant[] | undefined): Grant[] {
  const out: Grant[] = [];
  for (const g of grants ?? []) {
    const e = g.Grantee;
    if (!e || !g.Permission) continue;
    const [granteeType, identifier] =
      e.Type === "Group"
        ? (["uri", e.URI] as const)
        : e.Type === "AmazonCustomerByEmail"
          ? (["emailAddress", e.EmailAddress] as const)
          : (["id", e.ID] as const);
    if (!identifier) continue;
    out.push({
      granteeType,
      identifier,
      ...(e.DisplayName ? { displayName: e.DisplayName } : {}),
      permission: g.Permission as Grant["permission"],
    });
  }
  return out;
}

/** The x-amz-grant-* headers of PutObject/CopyObject, or undefined when the grants need a PutObjectAcl. */
export function grantHeaders(
  grants: readonly Grant[],
): { GrantRead?: string; GrantReadACP?: string; GrantWriteACP?: string; GrantFullControl?: string } | undefined {
  const by: Record<string, string[]> = {};
  for (const g of grants) {
    // Objects have no x-amz-grant-write header (WRITE means nothing on an object, but a PutObjectAcl keeps it).
    if (g.permission === "WRITE") return undefined;
    const list = by[g.permission] ?? [];
    list.push(`${g.granteeType}="${g.identifier.replace(/"/g, "")}"`);
    by[g.permission] = list;
  }
  const join = (p: string): string | undefined => by[p]?.join(", ");
  const headers = {
    GrantRead: join("READ"),
    GrantReadACP: join("READ_ACP"),
    GrantWriteACP: join("WRITE_ACP"),
    GrantFullControl: join("FULL_CONTROL"),
  };
  return Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined));
}

/**
 * The request fields that give a new object `acl` (PutObject/CopyObject/CreateMultipartUpload), or undefined
 * when it can only be set afterwards with PutObjectAcl: S3 takes a canned ACL or grant headers, not both, and
 * has no header for WRITE grants or another owner.
 */
export function aclRequestFields(acl: AccessControlList): Record<string, string> | undefined {
  const grants = acl.grants ?? [];
  if (acl.owner !== undefined) return undefined;
  if (grants.length === 0) return acl.canned !== undefined ? { ACL: acl.canned } : {};
  if (acl.canned !== undefined && acl.canned !== "private") return undefined;
  return grantHeaders(grants);
}

/** Parses x-amz-restore: `ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"`. */
export function parseRestoreHeader(value: string | undefined): RestoreState | undefined {
  if (value === undefined || value === "") return undefined;
  const ongoing = /ongoing-request\s*=\s*"?true"?/i.test(value);
  const expiry = /expiry-date\s*=\s*"([^"]+)"/i.exec(value)?.[1];
  const expiryDate = expiry !== undefined ? new Date(expiry) : undefined;
  return {
    ongoing,
    ...(expiryDate !== undefined && Number.isFinite(expiryDate.getTime()) ? { expiryDate } : {}),
  };
}

/**
 * Whether an object cannot be read without a restore: an archive class (or an Intelligent-Tiering archive tier,
 * x-amz-archive-status) with no completed, unexpired restore.
 */
export function isArchived(
  storageClass: string,
  archiveStatus: string | undefined,
  restore: RestoreState | undefined,
  now: Date,
): boolean {
  if (!ARCHIVE_STORAGE_CLASSES.has(storageClass) && archiveStatus === undefined) return false;
  const readable =
    restore !== undefined &&
    !restore.ongoing &&
    (restore.expiryDate === undefined || restore.expiryDate.getTime() > now.getTime());
  return !readable;
}

/** A key for the CopySource parameter: each path segment URL-encoded. */
export function copySource(bucket: string, key: string, versionId?: string): string {
  const encoded = key.split("/").map(encodeURIComponent).join("/");
  return `${bucket}/${encoded}${versionId !== undefined ? `?versionId=${encodeURIComponent(versionId)}` : ""}`;
}

/** The new object's settings that S3 alone acts on (the same fields on PutObject, CopyObject and multipart). */
export function targetSettingsToS3(
  o: TargetSettings,
): Partial<CopyObjectCommandInput> & Partial<PutObjectCommandInput> {
  const out: { -readonly [K in keyof CopyObjectCommandInput]?: CopyObjectCommandInput[K] } = {};
  if (o.sseAlgorithm !== undefined) out.ServerSideEncryption = o.sseAlgorithm;
  if (o.sseKmsKeyId !== undefined) {
    out.ServerSideEncryption = "aws:kms";
    out.SSEKMSKeyId = o.sseKmsKeyId;
  }
  if (o.bucketKeyEnabled !== undefined) out.BucketKeyEnabled = o.bucketKeyEnabled;
  if (o.checksumAlgorithm !== undefined) out.ChecksumAlgorithm = o.checksumAlgorithm as never;
  if (o.objectLockMode !== undefined) out.ObjectLockMode = o.objectLockMode;
  if (o.objectLockRetainUntilDate !== undefined) out.ObjectLockRetainUntilDate = o.objectLockRetainUntilDate;
  if (o.objectLockLegalHold !== undefined) out.ObjectLockLegalHoldStatus = o.objectLockLegalHold;
  if (o.websiteRedirectLocation !== undefined) out.WebsiteRedirectLocation = o.websiteRedirectLocation;
  if (o.requesterPays) out.RequestPayer = "requester";
  return out;
}
