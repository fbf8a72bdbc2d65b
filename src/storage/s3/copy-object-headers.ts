/**
 * A CopyObject request's fields as the headers S3 reads them, for the signed-request path (signed-requests.ts):
 * the same names and value formats the AWS SDK's serializer sends (dates in headers as HTTP dates, the Object
 * Lock date as ISO 8601, booleans as true/false, user metadata as x-amz-meta-*). A field this table does not
 * know makes the copy go through the SDK instead (copyObjectHeaders answers undefined), so nothing is dropped.
 */
import type { CopyObjectCommandInput } from "@aws-sdk/client-s3";

type Format = "text" | "http-date" | "date-time" | "boolean";

/** The SDK's CopyObject fields sent as headers (Bucket and Key make the path), with their header and format. */
const HEADERS: Readonly<Record<string, readonly [string, Format]>> = {
  CopySource: ["x-amz-copy-source", "text"],
  ACL: ["x-amz-acl", "text"],
  CacheControl: ["cache-control", "text"],
  ChecksumAlgorithm: ["x-amz-checksum-algorithm", "text"],
  ContentDisposition: ["content-disposition", "text"],
  ContentEncoding: ["content-encoding", "text"],
  ContentLanguage: ["content-language", "text"],
  ContentType: ["content-type", "text"],
  CopySourceIfMatch: ["x-amz-copy-source-if-match", "text"],
  CopySourceIfModifiedSince: ["x-amz-copy-source-if-modified-since", "http-date"],
  CopySourceIfNoneMatch: ["x-amz-copy-source-if-none-match", "text"],
  CopySourceIfUnmodifiedSince: ["x-amz-copy-source-if-unmodified-since", "http-date"],
  Expires: ["expires", "http-date"],
  GrantFullControl: ["x-amz-grant-full-control", "text"],
  GrantRead: ["x-amz-grant-read", "text"],
  GrantReadACP: ["x-amz-grant-read-acp", "text"],
  GrantWriteACP: ["x-amz-grant-write-acp", "text"],
  MetadataDirective: ["x-amz-metadata-directive", "text"],
  TaggingDirective: ["x-amz-tagging-directive", "text"],
  ServerSideEncryption: ["x-amz-server-side-encryption", "text"],
  StorageClass: ["x-amz-storage-class", "text"],
  WebsiteRedirectLocation: ["x-amz-website-redirect-location", "text"],
  SSEKMSKeyId: ["x-amz-server-side-encryption-aws-kms-key-id", "text"],
  BucketKeyEnabled: ["x-amz-server-side-encryption-bucket-key-enabled", "boolean"],
  RequestPayer: ["x-amz-request-payer", "text"],
  Tagging: ["x-amz-tagging", "text"],
  ObjectLockMode: ["x-amz-object-lock-mode", "text"],
  ObjectLockRetainUntilDate: ["x-amz-object-lock-retain-until-date", "date-time"],
  ObjectLockLegalHoldStatus: ["x-amz-object-lock-legal-hold", "text"],
  ExpectedBucketOwner: ["x-amz-expected-bucket-owner", "text"],
  ExpectedSourceBucketOwner: ["x-amz-source-expected-bucket-owner", "text"],
};

/** The request's headers, or undefined when it carries a field only the SDK knows how to send. */
export function copyObjectHeaders(input: CopyObjectCommandInput): Record<string, string> | undefined {
  const headers: Record<string, string> = {};
  for (const [field, value] of Object.entries(input)) {
    if (value === undefined || field === "Bucket" || field === "Key") continue;
    if (field === "Metadata") {
      for (const [name, v] of Object.entries(value as Record<string, string>)) headers[`x-amz-meta-${name}`] = v;
      continue;
    }
    const header = HEADERS[field];
    if (header === undefined) return undefined;
    headers[header[0]] = formatted(value, header[1]);
  }
  return headers;
}

function formatted(value: unknown, format: Format): string {
  if (format === "boolean") return value ? "true" : "false";
  if (format === "text" || !(value instanceof Date)) return String(value);
  return format === "http-date" ? value.toUTCString() : value.toISOString().replace(".000Z", "Z");
}
