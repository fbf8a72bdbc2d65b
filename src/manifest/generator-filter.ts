/**
 * The objects a manifest generator selects (the S3 Control API reference, S3JobManifestGenerator): S3JobManifestGenerator's Filter, every present
 * criterion ANDed, and OSS KeyPrefixManifestGenerator's Prefix.
 *
 * - CreatedAfter / CreatedBefore compare the object's LastModified (creation time of the current version),
 *   strictly.
 * - KeyNameConstraint: each non-empty list (MatchAnyPrefix, MatchAnySuffix, MatchAnySubstring) needs one
 *   match; the lists are ANDed with each other.
 * - ObjectSizeGreaterThanBytes / ObjectSizeLessThanBytes are strict.
 * - MatchAnyStorageClass compares case-insensitively.
 * - MatchAnyObjectEncryption and ObjectReplicationStatuses need what a plain listing does not tell:
 *   ListedObject.encryption and .replicationStatus are optional, filled by backends that know them; absent
 *   means NOT-SSE and NONE (never replicated), which is what an object of the local backend is. Encryption
 *   names are normalised, so S3's raw header values work too (AES256 = SSE-S3, aws:kms = SSE-KMS,
 *   aws:kms:dsse = DSSE-KMS); a KMS key ARN in the filter is not compared (listings never carry the key).
 * - EligibleForReplication: objbatch does not read buckets' replication rules, so it treats every object
 *   that is not itself a replica (replication status REPLICA) as eligible; the replication operation decides
 *   per object. False or absent selects everything.
 */
import type { ManifestGenerator, ManifestGeneratorFilter } from "../domain/job.js";
import type { ListedObject } from "../storage/types.js";
import { ManifestError } from "./errors.js";

export type ObjectPredicate = (object: ListedObject) => boolean;

const ENCRYPTION_ALIASES: Readonly<Record<string, string>> = {
  AES256: "SSE-S3",
  "AWS:KMS": "SSE-KMS",
  "AWS:KMS:DSSE": "DSSE-KMS",
  SSES3: "SSE-S3",
  SSEKMS: "SSE-KMS",
  DSSEKMS: "DSSE-KMS",
  SSEC: "SSE-C",
  NOTSSE: "NOT-SSE",
  NONE: "NOT-SSE",
};

/** SSE-S3 | SSE-KMS | DSSE-KMS | SSE-C | NOT-SSE, or the upper-cased input when it is none of those. */
export function normalizeEncryption(value: string | undefined): string {
  if (value === undefined || value.trim() === "") return "NOT-SSE";
  const upper = value.trim().toUpperCase();
  if (upper in ENCRYPTION_ALIASES) return ENCRYPTION_ALIASES[upper];
  // "SSE-KMS:arn:..." or "SSE-KMS{...}" as a dialect might spell a union member with its key.
  const head = upper.split(/[\s:{(]/, 1)[0].replace(/_/g, "-");
  const compact = head.replace(/-/g, "");
  return ENCRYPTION_ALIASES[compact] ?? head;
}

export function normalizeReplicationStatus(value: string | undefined): string {
  if (value === undefined || value.trim() === "") return "NONE";
  const upper = value.trim().toUpperCase();
  return upper === "COMPLETE" ? "COMPLETED" : upper;
}

function parseInstant(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new ManifestError("InvalidManifestGenerator", `The filter's ${name} ${value} is not a date.`);
  return ms;
}

function nonEmpty(list: readonly string[] | undefined): readonly string[] | undefined {
  return list && list.length > 0 ? list : undefined;
}

/** The predicate of a Filter; throws ManifestError when a criterion cannot be understood. */
export function compileFilter(filter: ManifestGeneratorFilter | undefined): ObjectPredicate {
  if (!filter) return () => true;
  const tests: ObjectPredicate[] = [];
  const after = parseInstant("CreatedAfter", filter.createdAfter);
  const before = parseInstant("CreatedBefore", filter.createdBefore);
  if (after !== undefined) tests.push((o) => o.lastModified.getTime() > after);
  if (before !== undefined) tests.push((o) => o.lastModified.getTime() < before);

  const prefixes = nonEmpty(filter.keyNameConstraint?.matchAnyPrefix);
  const suffixes = nonEmpty(filter.keyNameConstraint?.matchAnySuffix);
  const substrings = nonEmpty(filter.keyNameConstraint?.matchAnySubstring);
  if (prefixes) tests.push((o) => prefixes.some((p) => o.key.startsWith(p)));
  if (suffixes) tests.push((o) => suffixes.some((s) => o.key.endsWith(s)));
  if (substrings) tests.push((o) => substrings.some((s) => o.key.includes(s)));

  const greater = filter.objectSizeGreaterThanBytes;
  const less = filter.objectSizeLessThanBytes;
  if (greater !== undefined) tests.push((o) => o.size > greater);
  if (less !== undefined) tests.push((o) => o.size < less);

  const classes = nonEmpty(filter.matchAnyStorageClass);
  if (classes) {
    const wanted = new Set(classes.map((c) => c.toUpperCase()));
    tests.push((o) => wanted.has(o.storageClass.toUpperCase()));
  }
  const encryptions = nonEmpty(filter.matchAnyObjectEncryption);
  if (encryptions) {
    const wanted = new Set(encryptions.map(normalizeEncryption));
    tests.push((o) => wanted.has(normalizeEncryption(o.encryption)));
  }
  const statuses = nonEmpty(filter.objectReplicationStatuses);
  if (statuses) {
    const wanted = new Set(statuses.map(normalizeReplicationStatus));
    tests.push((o) => wanted.has(normalizeReplicationStatus(o.replicationStatus)));
  }
  if (filter.eligibleForReplication === true) {
    tests.push((o) => normalizeReplicationStatus(o.replicationStatus) !== "REPLICA");
  }

  if (tests.length === 0) return () => true;
  if (tests.length === 1) return tests[0];
  return (o) => tests.every((t) => t(o));
}

/**
 * The key prefixes to list so that every object the generator can select is listed once, in key order:
 * OSS's Prefix, else the filter's MatchAnyPrefix with prefixes that extend another one dropped (their
 * objects are already in the shorter prefix's listing), else the whole bucket.
 */
export function listingPrefixes(generator: ManifestGenerator): string[] {
  if (generator.kind === "KeyPrefixManifestGenerator") return [generator.prefix ?? ""];
  const prefixes = nonEmpty(generator.filter?.keyNameConstraint?.matchAnyPrefix);
  if (!prefixes) return [""];
  const sorted = [...new Set(prefixes)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const kept: string[] = [];
  for (const p of sorted) {
    if (kept.length === 0 || !p.startsWith(kept[kept.length - 1])) kept.push(p);
  }
  return kept;
}
