/**
 * Bucket and object references as every dialect may send them (docs/decisions.md D2):
 *
 *   arn:<partition>:s3:::<bucket>                  AWS S3 Control
 *   arn:<partition>:s3express:<region>:<account>:bucket/<bucket>   AWS directory bucket
 *   qcs::cos:<region>:uid/<appid>:<bucket>        Tencent COS, long form
 *   qcs::cos:<region>::<bucket>                    Tencent COS, short form
 *   acs:oss:<region>:<uid>:<bucket>                Alibaba OSS
 *   <bucket>                                       plain name
 *
 * An object reference is a bucket reference + `/` + key. The reference is kept exactly as sent (`arn`) so it can
 * be echoed back; `bucket` is the plain name the engine works with.
 *
 * Errors are InvalidArgument DomainErrors; callers that must report another code wrap them.
 */

import { invalidArgument } from "../domain/errors.js";
import type { BucketRef } from "../domain/job.js";

export interface ObjectRef {
  readonly bucket: BucketRef;
  readonly key: string;
}

const MAX_REF_BYTES = 2048;
const MAX_KEY_BYTES = 1024;

/**
 * Prefix patterns; the bucket (and for objects, `/key`) follows. None of the prefixes may contain `/` except the
 * COS `uid/<appid>` part, which is why the forms are matched whole instead of splitting at the first `/`.
 */
const FORMS: readonly RegExp[] = [
  /^arn:aws(?:-[a-z]+)*:s3:::/,
  // S3 Express One Zone directory buckets (S3PutObjectCopy TargetResource): arn:aws:s3express:<region>:<account>:bucket/<name>
  /^arn:aws(?:-[a-z]+)*:s3express:[a-z0-9-]*:[0-9]*:bucket\//,
  /^qcs::cos:[a-z0-9-]*:uid\/[0-9]+:/,
  /^qcs::cos:[a-z0-9-]*::/,
  /^acs:oss:(?:[a-z0-9-]*|\*):(?:[0-9]*|\*):/,
];

/**
 * S3-style bucket names (also valid for COS `name-appid` and OSS): 3-63 characters of lowercase letters, digits,
 * dots and hyphens, starting and ending with a letter or digit, no `..`. This also keeps a bucket name from
 * being a path component such as `..` in the local-directory backend.
 */
export function isValidBucketName(name: string): boolean {
  return /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) && !name.includes("..");
}

/** Parses a bucket reference in any of the accepted forms. `what` names the field in error messages. */
export function parseBucketRef(value: string, what = "bucket"): BucketRef {
  if (value === "") throw invalidArgument(`The ${what} must not be empty.`);
  if (Buffer.byteLength(value) > MAX_REF_BYTES) throw invalidArgument(`The ${what} is too long.`);
  const prefix = matchPrefix(value);
  if (prefix === undefined && value.includes(":")) {
    throw invalidArgument(`The ${what} "${clip(value)}" is not a recognised bucket ARN or bucket name.`);
  }
  const bucket = value.slice(prefix?.length ?? 0);
  if (!isValidBucketName(bucket)) {
    throw invalidArgument(`The ${what} "${clip(value)}" does not name a valid bucket.`);
  }
  return { arn: value, bucket };
}

/** Parses an object reference: a bucket reference + `/` + a non-empty key of at most 1024 bytes. */
export function parseObjectArn(value: string, what = "object ARN"): ObjectRef & { readonly objectArn: string } {
  if (value === "") throw invalidArgument(`The ${what} must not be empty.`);
  if (Buffer.byteLength(value) > MAX_REF_BYTES) throw invalidArgument(`The ${what} is too long.`);
  const prefix = matchPrefix(value) ?? "";
  if (prefix === "" && /^[^/]*:/.test(value)) {
    throw invalidArgument(`The ${what} "${clip(value)}" is not a recognised object ARN.`);
  }
  const slash = value.indexOf("/", prefix.length);
  if (slash === -1) throw invalidArgument(`The ${what} "${clip(value)}" has no object key.`);
  const bucketArn = value.slice(0, slash);
  const key = value.slice(slash + 1);
  const bucket = parseBucketRef(bucketArn, what);
  if (key === "") throw invalidArgument(`The ${what} "${clip(value)}" has an empty object key.`);
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw invalidArgument(`The object key in the ${what} is too long.`);
  return { bucket, key, objectArn: value };
}

function matchPrefix(value: string): string | undefined {
  for (const form of FORMS) {
    const m = form.exec(value);
    if (m !== null) return m[0];
  }
  return undefined;
}

function clip(value: string): string {
  return value.length > 80 ? `${value.slice(0, 80)}...` : value;
}
