/**
 * `s3://bucket/key-or-prefix`, the form the shortcuts take their locations in (as the aws and rclone CLIs
 * write them). The bucket is what objbatch's job model calls a plain bucket name (D2); the rest is a key or a
 * prefix, taken as typed (no percent-decoding: keys are what the storage stores).
 */
import { CliError } from "./exit-codes.js";

export interface S3Location {
  readonly bucket: string;
  /** The key or prefix after the bucket's slash; "" for the whole bucket. */
  readonly path: string;
}

export function isS3Url(value: string): boolean {
  return /^s3:\/\//i.test(value);
}

/** Parses `s3://bucket[/path]`; `what` names the option in the error ("--to"). */
export function parseS3Url(value: string, what: string): S3Location {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/is.exec(value);
  if (match === null) {
    throw new CliError(`${what} takes s3://bucket/prefix, not ${JSON.stringify(value)}`);
  }
  const bucket = match[1] ?? "";
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(bucket)) {
    throw new CliError(
      `${what}: ${JSON.stringify(bucket)} is not a bucket name (letters, digits, dots, dashes and underscores)`,
    );
  }
  return { bucket, path: match[2] ?? "" };
}

/** `s3://bucket/key` of an object: the key may not be empty or end with a slash. */
export function parseS3ObjectUrl(value: string, what: string): S3Location {
  const location = parseS3Url(value, what);
  if (location.path === "" || location.path.endsWith("/")) {
    throw new CliError(`${what} names an object, s3://bucket/key, not a prefix: ${JSON.stringify(value)}`);
  }
  return location;
}
