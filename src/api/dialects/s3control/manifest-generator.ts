/**
 * S3 Control ManifestGenerator (the S3 Control API reference) <-> canonical ManifestGenerator, and the
 * GeneratedManifestDescriptor DescribeJob shows once a generator has written its manifest.
 *
 *   ManifestGenerator
 *     S3JobManifestGenerator
 *       ExpectedBucketOwner, SourceBucket (required), EnableManifestOutput (required)
 *       ManifestOutputLocation{ExpectedManifestBucketOwner, Bucket (required), ManifestPrefix,
 *                              ManifestEncryption{SSE-S3{} | SSE-KMS{KeyId}}, ManifestFormat (required)}
 *       Filter{EligibleForReplication, CreatedAfter, CreatedBefore, ObjectReplicationStatuses,
 *              KeyNameConstraint{MatchAnyPrefix, MatchAnySuffix, MatchAnySubstring},
 *              ObjectSizeGreaterThanBytes, ObjectSizeLessThanBytes, MatchAnyStorageClass,
 *              MatchAnyObjectEncryption/ObjectEncryption{SSE-S3 | SSE-KMS{KmsKeyArn, BucketKeyEnabled} |
 *                                                        DSSE-KMS{KmsKeyArn} | SSE-C | NOT-SSE}}
 *
 * OSS's KeyPrefixManifestGenerator{SourceBucket, Prefix} is shown to S3 Control clients as an
 * S3JobManifestGenerator whose filter matches that prefix.
 */
import { invalidArgument, malformedXml } from "../../../domain/errors.js";
import type {
  GeneratedManifestDescriptor,
  KeyNameConstraint,
  ManifestGenerator,
  ManifestGeneratorFilter,
  ObjectEncryptionFilter,
} from "../../../domain/job.js";
import { parseBucketRef } from "../../bucket-arn.js";
import { el, leaf, optLeaf, type XmlNode } from "../../xml/build.js";
import type { XmlReader } from "../../xml/read.js";
import { dropUndefined } from "../shared/object-values.js";
import { formatS3ControlTimestamp, parseS3ControlTimestamp } from "./timestamps.js";
import { readEnumList, readList, readValueList, valueList } from "./xml-shapes.js";

export const GENERATED_MANIFEST_FORMAT = "S3InventoryReport_CSV_20211130";
const REPLICATION_STATUSES = ["COMPLETED", "FAILED", "REPLICA", "NONE"] as const;
const STORAGE_CLASSES = [
  "STANDARD",
  "STANDARD_IA",
  "ONEZONE_IA",
  "GLACIER",
  "INTELLIGENT_TIERING",
  "DEEP_ARCHIVE",
  "GLACIER_IR",
] as const;
const ENCRYPTION_TYPES = ["SSE-S3", "SSE-KMS", "DSSE-KMS", "SSE-C", "NOT-SSE"] as const;
const KMS_KEY_ARN = /^arn:aws[a-zA-Z0-9-]*:kms:[a-z0-9-]+:[0-9]{12}:key\/[a-zA-Z0-9-]+$/;
/** Account ids as the model has them (12 digits); objbatch accounts may be named otherwise, so any digits. */
const ACCOUNT_ID = { max: 64, pattern: /^\d{1,64}$/, patternHint: "must be an account id (digits)" } as const;

/** Reads `<ManifestGenerator>`: exactly one S3JobManifestGenerator. */
export function parseManifestGenerator(r: XmlReader): ManifestGenerator {
  r.requireNoText();
  const names = r.childNames();
  if (names.length !== 1 || names[0] !== "S3JobManifestGenerator") {
    throw malformedXml(`${r.path} must contain exactly one S3JobManifestGenerator.`);
  }
  return r.requiredChild("S3JobManifestGenerator", readS3JobManifestGenerator);
}

function readS3JobManifestGenerator(g: XmlReader): ManifestGenerator {
  return dropUndefined({
    kind: "S3JobManifestGenerator" as const,
    expectedBucketOwner: g.optionalString("ExpectedBucketOwner", ACCOUNT_ID),
    sourceBucket: parseBucketRef(g.requiredString("SourceBucket", { min: 1, max: 2048 }), `${g.path}/SourceBucket`),
    enableManifestOutput: g.requiredBoolean("EnableManifestOutput"),
    manifestOutputLocation: g.child("ManifestOutputLocation", (l) => {
      const encryption = l.child("ManifestEncryption", (e) => {
        e.requireNoText();
        const names = e.childNames();
        if (names.length !== 1) throw malformedXml(`${e.path} must contain exactly one of SSE-S3 and SSE-KMS.`);
        const [choice] = e.eachChild((c) => {
          if (c.name === "SSE-S3") return { type: "SSE-S3" };
          if (c.name === "SSE-KMS") return { type: "SSE-KMS", keyId: c.requiredString("KeyId", { min: 1, max: 2000 }) };
          throw malformedXml(`Unknown element ${c.path}.`);
        });
        return choice!;
      });
      return dropUndefined({
        expectedManifestBucketOwner: l.optionalString("ExpectedManifestBucketOwner", ACCOUNT_ID),
        bucket: parseBucketRef(l.requiredString("Bucket", { min: 1, max: 2048 }), `${l.path}/Bucket`),
        manifestPrefix: l.optionalString("ManifestPrefix", { min: 1, max: 512 }),
        manifestEncryption: encryption?.type,
        manifestEncryptionKmsKeyId: encryption?.keyId,
        manifestFormat: l.requiredEnum("ManifestFormat", [GENERATED_MANIFEST_FORMAT]),
      });
    }),
    filter: g.child("Filter", readFilter),
  });
}

function readFilter(f: XmlReader): ManifestGeneratorFilter {
  const time = (name: string) => {
    const v = f.optionalString(name);
    return v === undefined ? undefined : parseS3ControlTimestamp(v, `${f.path}/${name}`);
  };
  const size = (name: string) => f.optionalInt(name, { min: 0, max: Number.MAX_SAFE_INTEGER });
  const encryption = readList(f, "MatchAnyObjectEncryption", readObjectEncryption, { min: 1, max: 1 });
  const createdAfter = time("CreatedAfter");
  const createdBefore = time("CreatedBefore");
  if (createdAfter !== undefined && createdBefore !== undefined && createdAfter >= createdBefore) {
    throw invalidArgument(`${f.path}: CreatedAfter must be earlier than CreatedBefore.`);
  }
  return dropUndefined({
    eligibleForReplication: f.optionalBoolean("EligibleForReplication"),
    createdAfter,
    createdBefore,
    objectReplicationStatuses: readEnumList(f, "ObjectReplicationStatuses", REPLICATION_STATUSES, { max: 4 }),
    keyNameConstraint: f.child("KeyNameConstraint", readKeyNameConstraint),
    objectSizeGreaterThanBytes: size("ObjectSizeGreaterThanBytes"),
    objectSizeLessThanBytes: size("ObjectSizeLessThanBytes"),
    matchAnyStorageClass: readEnumList(f, "MatchAnyStorageClass", STORAGE_CLASSES, { max: STORAGE_CLASSES.length }),
    matchAnyObjectEncryption: encryption?.map((e) => e.type),
    objectEncryptionFilters: encryption,
  });
}

function readKeyNameConstraint(k: XmlReader): KeyNameConstraint {
  const strings = (name: string) => readValueList(k, name, { min: 1, max: 1024, unit: "bytes" });
  return dropUndefined({
    matchAnyPrefix: strings("MatchAnyPrefix"),
    matchAnySuffix: strings("MatchAnySuffix"),
    matchAnySubstring: strings("MatchAnySubstring"),
  });
}

/** One `<ObjectEncryption>` (any item name is accepted): exactly one encryption type element. */
function readObjectEncryption(item: XmlReader): ObjectEncryptionFilter {
  item.requireNoText();
  const names = item.childNames();
  if (names.length !== 1) {
    throw malformedXml(`${item.path} must contain exactly one of ${ENCRYPTION_TYPES.join(", ")}.`);
  }
  const [filter] = item.eachChild((c): ObjectEncryptionFilter => {
    const kmsKeyArn = () =>
      c.optionalString("KmsKeyArn", { min: 20, max: 2048, pattern: KMS_KEY_ARN, patternHint: "must be a KMS key ARN" });
    switch (c.name) {
      case "SSE-S3":
      case "SSE-C":
      case "NOT-SSE":
        return { type: c.name };
      case "SSE-KMS":
        return dropUndefined({
          type: "SSE-KMS" as const,
          kmsKeyArn: kmsKeyArn(),
          bucketKeyEnabled: c.optionalBoolean("BucketKeyEnabled"),
        });
      case "DSSE-KMS":
        return dropUndefined({ type: "DSSE-KMS" as const, kmsKeyArn: kmsKeyArn() });
      default:
        throw malformedXml(`Unknown element ${c.path}.`);
    }
  });
  return filter!;
}

// ---------------------------------------------------------------------------------------------------------
// Rendering

export function renderManifestGenerator(g: ManifestGenerator): XmlNode {
  const out = g.manifestOutputLocation;
  const filter = filterWithPrefix(g);
  return el(
    "ManifestGenerator",
    el(
      "S3JobManifestGenerator",
      optLeaf("ExpectedBucketOwner", g.expectedBucketOwner),
      leaf("SourceBucket", g.sourceBucket.arn),
      out &&
        el(
          "ManifestOutputLocation",
          optLeaf("ExpectedManifestBucketOwner", out.expectedManifestBucketOwner),
          leaf("Bucket", out.bucket.arn),
          optLeaf("ManifestPrefix", out.manifestPrefix),
          out.manifestEncryption !== undefined &&
            el(
              "ManifestEncryption",
              out.manifestEncryption === "SSE-KMS" && el("SSE-KMS", optLeaf("KeyId", out.manifestEncryptionKmsKeyId)),
              out.manifestEncryption === "SSE-S3" && el("SSE-S3"),
            ),
          leaf("ManifestFormat", out.manifestFormat),
        ),
      filter && renderFilter(filter),
      leaf("EnableManifestOutput", g.enableManifestOutput),
    ),
  );
}

/** An OSS KeyPrefixManifestGenerator's Prefix, as the key-name constraint that means the same. */
function filterWithPrefix(g: ManifestGenerator): ManifestGeneratorFilter | undefined {
  if (g.prefix === undefined || g.prefix === "") return g.filter;
  const keys = g.filter?.keyNameConstraint;
  return {
    ...g.filter,
    keyNameConstraint: { ...keys, matchAnyPrefix: [...(keys?.matchAnyPrefix ?? []), g.prefix] },
  };
}

function renderFilter(f: ManifestGeneratorFilter): XmlNode {
  const k = f.keyNameConstraint;
  const encryption = (
    f.objectEncryptionFilters ?? f.matchAnyObjectEncryption?.map((type) => ({ type }) as ObjectEncryptionFilter)
  )?.filter((e) => (ENCRYPTION_TYPES as readonly string[]).includes(e.type));
  return el(
    "Filter",
    optLeaf("EligibleForReplication", f.eligibleForReplication),
    f.createdAfter !== undefined && leaf("CreatedAfter", formatS3ControlTimestamp(f.createdAfter)),
    f.createdBefore !== undefined && leaf("CreatedBefore", formatS3ControlTimestamp(f.createdBefore)),
    f.objectReplicationStatuses && valueList("ObjectReplicationStatuses", f.objectReplicationStatuses),
    k &&
      el(
        "KeyNameConstraint",
        k.matchAnyPrefix && valueList("MatchAnyPrefix", k.matchAnyPrefix),
        k.matchAnySuffix && valueList("MatchAnySuffix", k.matchAnySuffix),
        k.matchAnySubstring && valueList("MatchAnySubstring", k.matchAnySubstring),
      ),
    optLeaf("ObjectSizeGreaterThanBytes", f.objectSizeGreaterThanBytes),
    optLeaf("ObjectSizeLessThanBytes", f.objectSizeLessThanBytes),
    f.matchAnyStorageClass && valueList("MatchAnyStorageClass", f.matchAnyStorageClass),
    encryption &&
      el(
        "MatchAnyObjectEncryption",
        encryption.map((e) =>
          el(
            "ObjectEncryption",
            el(
              e.type,
              optLeaf("KmsKeyArn", e.kmsKeyArn),
              e.type === "SSE-KMS" && optLeaf("BucketKeyEnabled", e.bucketKeyEnabled),
            ),
          ),
        ),
      ),
  );
}

export function renderGeneratedManifestDescriptor(d: GeneratedManifestDescriptor): XmlNode {
  const loc = d.location;
  return el(
    "GeneratedManifestDescriptor",
    leaf("Format", d.format),
    el(
      "Location",
      leaf("ObjectArn", loc.objectArn ?? `arn:aws:s3:::${loc.bucket.bucket}/${loc.key}`),
      optLeaf("ObjectVersionId", loc.versionId),
      optLeaf("ETag", loc.etag),
    ),
  );
}
