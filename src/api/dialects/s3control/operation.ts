/**
 * S3 Control operations (JobOperation, reference 1.4) <-> canonical operations (D1).
 *
 *   S3PutObjectCopy          PutObjectCopy           every field of S3CopyObjectOperation
 *   S3PutObjectTagging       PutObjectTagging        TagSet replaces the object's tags
 *   S3DeleteObjectTagging    DeleteObjectTagging
 *   S3PutObjectAcl           PutObjectAcl            AccessControlPolicy{AccessControlList{Owner, Grants} | CannedAccessControlList}
 *   S3InitiateRestoreObject  InitiateRestoreObject   ExpirationInDays, GlacierJobTier BULK | STANDARD
 *   S3PutObjectLegalHold     PutObjectLegalHold      LegalHold{Status}
 *   S3PutObjectRetention     PutObjectRetention      BypassGovernanceRetention, Retention{RetainUntilDate, Mode}
 *   S3ComputeObjectChecksum  ComputeObjectChecksum   ChecksumAlgorithm, ChecksumType
 *   LambdaInvoke             InvokeFunction          FunctionArn, InvocationSchemaVersion, UserArguments map
 *   S3ReplicateObject        ReplicateObject
 *   S3DeleteObject           DeleteObject            objbatch extension (D1): AWS has no delete operation
 *   S3AddObjectTagging       AddObjectTagging        objbatch extension: merges TagSet into the object's tags
 *
 * Jobs created through COS or OSS describe and list here under these AWS names. AWS has no word for COS's
 * `Add` directives on copy; they are shown as `ADD`.
 */
import { S3_CHECKSUM_ALGORITHMS } from "../../../checksum/algorithms.js";
import { invalidArgument, malformedXml } from "../../../domain/errors.js";
import type {
  Directive,
  Grant,
  NewObjectMetadata,
  Operation,
  OperationKind,
  PutObjectCopyOperation,
} from "../../../domain/job.js";
import { parseBucketRef } from "../../bucket-arn.js";
import { el, leaf, optLeaf, type XmlNode } from "../../xml/build.js";
import type { XmlReader } from "../../xml/read.js";
import { type GrantRules, readGrant, readOwner } from "../shared/acl.js";
import {
  dropUndefined,
  HEADER_TOKEN,
  MAX_OBJECT_TAGS,
  NO_CONTROL,
  requireUserMetadataWithinLimit,
} from "../shared/object-values.js";
import { missingElement, parseSingleOperation } from "../shared/operation-element.js";
import { FUNCTION_ARN } from "./model-patterns.js";
import { formatS3ControlTimestamp, parseS3ControlTimestamp } from "./timestamps.js";
import { clip, map, readList, readMap, readTagList, tagList } from "./xml-shapes.js";

/** The element (and ListJobs `Operation`) name of each canonical operation. */
export const S3CONTROL_OPERATION_NAMES: Readonly<Record<OperationKind, string>> = {
  PutObjectCopy: "S3PutObjectCopy",
  PutObjectTagging: "S3PutObjectTagging",
  DeleteObjectTagging: "S3DeleteObjectTagging",
  PutObjectAcl: "S3PutObjectAcl",
  InitiateRestoreObject: "S3InitiateRestoreObject",
  PutObjectLegalHold: "S3PutObjectLegalHold",
  PutObjectRetention: "S3PutObjectRetention",
  ComputeObjectChecksum: "S3ComputeObjectChecksum",
  InvokeFunction: "LambdaInvoke",
  ReplicateObject: "S3ReplicateObject",
  // objbatch extensions (D1)
  DeleteObject: "S3DeleteObject",
  AddObjectTagging: "S3AddObjectTagging",
};

const CANNED_ACLS = [
  "private",
  "public-read",
  "public-read-write",
  "aws-exec-read",
  "authenticated-read",
  "bucket-owner-read",
  "bucket-owner-full-control",
] as const;
const STORAGE_CLASSES = [
  "STANDARD",
  "STANDARD_IA",
  "ONEZONE_IA",
  "GLACIER",
  "INTELLIGENT_TIERING",
  "DEEP_ARCHIVE",
  "GLACIER_IR",
] as const;
/**
 * S3CopyObjectOperation's ChecksumAlgorithm, in the AWS model's order (the ComputeObjectChecksum list,
 * S3_CHECKSUM_ALGORITHMS in checksum/algorithms.ts, names the same algorithms in another order; the order shows
 * in error messages, so each keeps its own).
 */
const COPY_CHECKSUM_ALGORITHMS = [
  "CRC32",
  "CRC32C",
  "SHA1",
  "SHA256",
  "CRC64NVME",
  "SHA512",
  "MD5",
  "XXHASH64",
  "XXHASH3",
  "XXHASH128",
] as const;
/**
 * Grantee types: the AWS spellings, and the COS/S3 API ones (ID, EmailAddress, URI) for liberal input.
 * DisplayName, when given, is at least one character (the AWS shape).
 */
const S3CONTROL_GRANTS: GrantRules = {
  granteeTypes: {
    id: "id",
    ID: "id",
    emailAddress: "emailAddress",
    EmailAddress: "emailAddress",
    uri: "uri",
    URI: "uri",
  },
  displayNameMin: 1,
};
const DIRECTIVE_IN: Readonly<Record<string, Directive>> = { COPY: "Copy", REPLACE: "Replaced" };
const DIRECTIVE_OUT: Readonly<Record<Directive, string>> = { Copy: "COPY", Replaced: "REPLACE", Add: "ADD" };
const TIER_IN: Readonly<Record<string, string>> = { BULK: "Bulk", STANDARD: "Standard" };

/** Reads `<Operation>`: exactly one known operation element. */
export function parseS3ControlOperation(r: XmlReader): Operation {
  return parseSingleOperation(r, parseOne);
}

function parseOne(o: XmlReader): Operation {
  switch (o.name) {
    case "S3PutObjectCopy":
      return parsePutObjectCopy(o);
    case "S3PutObjectTagging":
      return { kind: "PutObjectTagging", tagSet: readObjectTags(o, "TagSet") ?? [] };
    case "S3AddObjectTagging":
      return { kind: "AddObjectTagging", tagSet: readObjectTags(o, "TagSet", 1) ?? missingElement(o, "TagSet") };
    case "S3DeleteObjectTagging":
      o.requireNoText();
      return { kind: "DeleteObjectTagging" };
    case "S3DeleteObject":
      o.requireNoText();
      return { kind: "DeleteObject" };
    case "S3ReplicateObject":
      o.requireNoText();
      return { kind: "ReplicateObject" };
    case "S3PutObjectAcl":
      return parsePutObjectAcl(o);
    case "S3InitiateRestoreObject": {
      const tier = o.optionalEnum("GlacierJobTier", ["BULK", "STANDARD"]);
      return dropUndefined({
        kind: "InitiateRestoreObject" as const,
        expirationInDays: o.optionalInt("ExpirationInDays", { min: 0, max: 2147483647 }),
        tier: tier === undefined ? undefined : TIER_IN[tier],
      });
    }
    case "S3PutObjectLegalHold":
      return {
        kind: "PutObjectLegalHold",
        status: o.requiredChild("LegalHold", (h) => h.requiredEnum("Status", ["ON", "OFF"])),
      };
    case "S3PutObjectRetention": {
      const bypass = o.optionalBoolean("BypassGovernanceRetention");
      const retention = o.requiredChild("Retention", (t) => {
        const date = t.optionalString("RetainUntilDate");
        const mode = t.optionalEnum("Mode", ["COMPLIANCE", "GOVERNANCE"]);
        if ((date === undefined) !== (mode === undefined)) {
          throw invalidArgument(
            `${t.path} needs both Mode and RetainUntilDate, or neither (which removes the retention).`,
          );
        }
        return {
          mode,
          retainUntilDate: date === undefined ? undefined : parseS3ControlTimestamp(date, `${t.path}/RetainUntilDate`),
        };
      });
      return dropUndefined({ kind: "PutObjectRetention" as const, bypassGovernanceRetention: bypass, ...retention });
    }
    case "S3ComputeObjectChecksum": {
      const algorithm = o.requiredEnum("ChecksumAlgorithm", S3_CHECKSUM_ALGORITHMS);
      const checksumType = o.optionalEnum("ChecksumType", ["FULL_OBJECT", "COMPOSITE"]);
      if (algorithm === "CRC64NVME" && checksumType === "COMPOSITE") {
        throw invalidArgument(`${o.path}: CRC64NVME supports only the FULL_OBJECT checksum type.`);
      }
      return dropUndefined({ kind: "ComputeObjectChecksum" as const, algorithm, checksumType });
    }
    case "LambdaInvoke":
      return parseLambdaInvoke(o);
    case "S3UpdateObjectEncryption":
      throw invalidArgument(`${o.path}: the S3UpdateObjectEncryption operation is not supported by objbatch.`);
    default:
      throw malformedXml(`Unknown operation ${o.path}.`);
  }
}

function parsePutObjectCopy(o: XmlReader): PutObjectCopyOperation {
  const targetResource = parseBucketRef(
    o.requiredString("TargetResource", { min: 1, max: 2048 }),
    `${o.path}/TargetResource`,
  );
  const directive = o.optionalEnum("MetadataDirective", ["COPY", "REPLACE"]);
  const time = (name: string) => {
    const v = o.optionalString(name);
    return v === undefined ? undefined : parseS3ControlTimestamp(v, `${o.path}/${name}`);
  };
  const newObjectTagging = readObjectTags(o, "NewObjectTagging");
  return dropUndefined({
    kind: "PutObjectCopy" as const,
    targetResource,
    targetKeyPrefix: o.optionalString("TargetKeyPrefix", { min: 1, max: 1024, ...NO_CONTROL }),
    cannedAccessControlList: o.optionalEnum("CannedAccessControlList", CANNED_ACLS),
    accessControlGrants: readList(o, "AccessControlGrants", readS3ControlGrant, { max: 100 }),
    metadataDirective: directive === undefined ? undefined : DIRECTIVE_IN[directive],
    modifiedSinceConstraint: time("ModifiedSinceConstraint"),
    unModifiedSinceConstraint: time("UnModifiedSinceConstraint"),
    newObjectMetadata: o.child("NewObjectMetadata", readMetadata),
    // AWS has no tagging directive: NewObjectTagging, when given, replaces the source's tags.
    newObjectTagging,
    redirectLocation: o.optionalString("RedirectLocation", { min: 1, max: 2048, ...NO_CONTROL }),
    requesterPays: o.optionalBoolean("RequesterPays"),
    storageClass: o.optionalEnum("StorageClass", STORAGE_CLASSES),
    sseAwsKmsKeyId: o.optionalString("SSEAwsKmsKeyId", { min: 1, max: 2000, ...NO_CONTROL }),
    objectLockLegalHoldStatus: o.optionalEnum("ObjectLockLegalHoldStatus", ["ON", "OFF"]),
    objectLockMode: o.optionalEnum("ObjectLockMode", ["COMPLIANCE", "GOVERNANCE"]),
    objectLockRetainUntilDate: time("ObjectLockRetainUntilDate"),
    bucketKeyEnabled: o.optionalBoolean("BucketKeyEnabled"),
    checksumAlgorithm: o.optionalEnum("ChecksumAlgorithm", COPY_CHECKSUM_ALGORITHMS),
  });
}

function parsePutObjectAcl(o: XmlReader) {
  const acl = o.requiredChild("AccessControlPolicy", (p) => {
    const canned = p.optionalEnum("CannedAccessControlList", CANNED_ACLS);
    const list = p.child("AccessControlList", (l) => ({
      owner: l.requiredChild("Owner", (w) => readOwner(w, S3CONTROL_GRANTS)),
      grants: readList(l, "Grants", readS3ControlGrant, { max: 100 }) ?? [],
    }));
    if ((canned === undefined) === (list === undefined)) {
      throw invalidArgument(`${p.path} needs exactly one of AccessControlList and CannedAccessControlList.`);
    }
    return dropUndefined({ canned, grants: list?.grants, owner: list?.owner });
  });
  return { kind: "PutObjectAcl" as const, acl };
}

function parseLambdaInvoke(o: XmlReader) {
  const functionArn = o.requiredString("FunctionArn", FUNCTION_ARN);
  const version = o.optionalString("InvocationSchemaVersion", { min: 1, max: 64 });
  if (version !== undefined && version !== "1.0" && version !== "2.0") {
    throw invalidArgument(`${o.path}/InvocationSchemaVersion must be 1.0 or 2.0, not "${clip(version)}".`);
  }
  const userArguments = readMap(o, "UserArguments", {
    min: 1,
    max: 10,
    key: { min: 1, max: 64, unit: "chars" },
    value: { max: 1024, unit: "chars" },
  });
  if (userArguments !== undefined && version !== "2.0") {
    throw invalidArgument(`${o.path}/UserArguments needs InvocationSchemaVersion 2.0.`);
  }
  return dropUndefined({
    kind: "InvokeFunction" as const,
    functionArn,
    invocationSchemaVersion: version,
    userArguments,
  });
}

function readObjectTags(o: XmlReader, name: string, min = 0) {
  return readTagList(o, name, { min, max: MAX_OBJECT_TAGS });
}

function readS3ControlGrant(g: XmlReader): Grant {
  return readGrant(g, S3CONTROL_GRANTS);
}

function readMetadata(m: XmlReader): NewObjectMetadata {
  const text = (name: string) => m.optionalString(name, { min: 1, max: 1024, ...NO_CONTROL });
  const expires = m.optionalString("HttpExpiresDate");
  const userMetadata = readMap(m, "UserMetadata", {
    max: 8192,
    key: { min: 1, max: 1024, pattern: HEADER_TOKEN, patternHint: "must be an HTTP header token" },
    value: { max: 1024, ...NO_CONTROL },
    caseInsensitive: true,
  });
  if (userMetadata !== undefined) {
    requireUserMetadataWithinLimit(userMetadata, `${m.path}/UserMetadata`);
  }
  return dropUndefined({
    cacheControl: text("CacheControl"),
    contentDisposition: text("ContentDisposition"),
    contentEncoding: text("ContentEncoding"),
    contentLanguage: text("ContentLanguage"),
    contentType: text("ContentType"),
    httpExpiresDate: expires === undefined ? undefined : parseS3ControlTimestamp(expires, `${m.path}/HttpExpiresDate`),
    sseAlgorithm: m.optionalEnum("SSEAlgorithm", ["AES256", "KMS"]),
    userMetadata,
    requesterCharged: m.optionalBoolean("RequesterCharged"),
    contentLength: m.optionalInt("ContentLength", { min: 0, max: Number.MAX_SAFE_INTEGER }),
    contentMD5: text("ContentMD5"),
  });
}

// ---------------------------------------------------------------------------------------------------------
// Rendering

/** `<Operation>` for DescribeJob, with the operation under its S3 Control name. */
export function renderS3ControlOperation(op: Operation): XmlNode {
  return el("Operation", renderOne(op));
}

function renderOne(op: Operation): XmlNode {
  const name = S3CONTROL_OPERATION_NAMES[op.kind];
  switch (op.kind) {
    case "PutObjectCopy":
      return el(
        name,
        leaf("TargetResource", op.targetResource.arn),
        optLeaf("CannedAccessControlList", op.cannedAccessControlList),
        op.accessControlGrants && el("AccessControlGrants", op.accessControlGrants.map(renderGrant)),
        op.metadataDirective && leaf("MetadataDirective", DIRECTIVE_OUT[op.metadataDirective]),
        time("ModifiedSinceConstraint", op.modifiedSinceConstraint),
        op.newObjectMetadata && renderMetadata(op.newObjectMetadata),
        op.newObjectTagging && tagList("NewObjectTagging", op.newObjectTagging),
        optLeaf("RedirectLocation", op.redirectLocation),
        optLeaf("RequesterPays", op.requesterPays),
        optLeaf("StorageClass", op.storageClass),
        time("UnModifiedSinceConstraint", op.unModifiedSinceConstraint),
        optLeaf("SSEAwsKmsKeyId", op.sseAwsKmsKeyId),
        // COS's PrefixReplace has no AWS counterpart; its replacement prefix is still the target key prefix.
        optLeaf("TargetKeyPrefix", op.targetKeyPrefix === "" ? undefined : op.targetKeyPrefix),
        optLeaf("ObjectLockLegalHoldStatus", op.objectLockLegalHoldStatus),
        optLeaf("ObjectLockMode", op.objectLockMode),
        time("ObjectLockRetainUntilDate", op.objectLockRetainUntilDate),
        optLeaf("BucketKeyEnabled", op.bucketKeyEnabled),
        optLeaf("ChecksumAlgorithm", op.checksumAlgorithm),
      );
    case "PutObjectTagging":
    case "AddObjectTagging":
      return el(name, tagList("TagSet", op.tagSet));
    case "DeleteObjectTagging":
    case "DeleteObject":
    case "ReplicateObject":
      return el(name);
    case "PutObjectAcl":
      return el(
        name,
        el(
          "AccessControlPolicy",
          (op.acl.owner !== undefined || op.acl.grants !== undefined) &&
            el(
              "AccessControlList",
              op.acl.owner &&
                el("Owner", leaf("ID", op.acl.owner.id), optLeaf("DisplayName", op.acl.owner.displayName)),
              op.acl.grants && el("Grants", op.acl.grants.map(renderGrant)),
            ),
          optLeaf("CannedAccessControlList", op.acl.canned),
        ),
      );
    case "InitiateRestoreObject":
      return el(
        name,
        optLeaf("ExpirationInDays", op.expirationInDays),
        optLeaf("GlacierJobTier", op.tier?.toUpperCase()),
      );
    case "PutObjectLegalHold":
      return el(name, el("LegalHold", leaf("Status", op.status)));
    case "PutObjectRetention":
      return el(
        name,
        optLeaf("BypassGovernanceRetention", op.bypassGovernanceRetention),
        el("Retention", time("RetainUntilDate", op.retainUntilDate), optLeaf("Mode", op.mode)),
      );
    case "ComputeObjectChecksum":
      return el(name, leaf("ChecksumAlgorithm", op.algorithm), optLeaf("ChecksumType", op.checksumType));
    case "InvokeFunction":
      return el(
        name,
        leaf("FunctionArn", op.functionArn),
        optLeaf("InvocationSchemaVersion", op.invocationSchemaVersion),
        op.userArguments && map("UserArguments", op.userArguments),
      );
  }
}

function time(name: string, value: string | undefined): XmlNode | undefined {
  return value === undefined ? undefined : leaf(name, formatS3ControlTimestamp(value));
}

function renderGrant(g: Grant): XmlNode {
  return el(
    "member",
    el(
      "Grantee",
      leaf("TypeIdentifier", g.granteeType),
      leaf("Identifier", g.identifier),
      optLeaf("DisplayName", g.displayName),
    ),
    leaf("Permission", g.permission),
  );
}

function renderMetadata(m: NewObjectMetadata): XmlNode {
  return el(
    "NewObjectMetadata",
    optLeaf("CacheControl", m.cacheControl),
    optLeaf("ContentDisposition", m.contentDisposition),
    optLeaf("ContentEncoding", m.contentEncoding),
    optLeaf("ContentLanguage", m.contentLanguage),
    m.userMetadata && map("UserMetadata", m.userMetadata),
    optLeaf("ContentLength", m.contentLength),
    optLeaf("ContentMD5", m.contentMD5),
    optLeaf("ContentType", m.contentType),
    time("HttpExpiresDate", m.httpExpiresDate),
    optLeaf("RequesterCharged", m.requesterCharged),
    optLeaf("SSEAlgorithm", m.sseAlgorithm),
  );
}
