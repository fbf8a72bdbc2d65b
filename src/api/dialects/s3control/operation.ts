/**
 * S3 Control operations (JobOperation in the S3 Control API reference) <-> canonical operations (D1).
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
 * Jobs created through COS, OSS or the Google dialect describe and list here under these AWS names
 * (operation-render.ts writes them back for DescribeJob). Google's operations, output only (D47):
 *   S3UpdateObjectEncryption      RewriteObject              AWS's own element: the object re-encrypted in place
 *                                                            under ObjectEncryption/SSE-KMS/KMSKeyArn
 *   S3PutObjectLegalHold          PutObjectHold              AWS's own element: the temporary hold is a legal hold;
 *                                                            an event-based hold is an extension child
 *   S3UpdateObjectMetadata        UpdateObjectMetadata       objbatch extension (a copy with REPLACE would drop
 *                                                            the metadata the patch keeps)
 *   S3UpdateObjectCustomContext   UpdateObjectCustomContext  objbatch extension
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
import { parseS3ControlTimestamp } from "./timestamps.js";
import { clip, readList, readMap, readTagList } from "./xml-shapes.js";

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
  // Google's operations (D47), output only: AWS's element where AWS has the same operation, else an extension
  RewriteObject: "S3UpdateObjectEncryption",
  PutObjectHold: "S3PutObjectLegalHold",
  UpdateObjectMetadata: "S3UpdateObjectMetadata",
  UpdateObjectCustomContext: "S3UpdateObjectCustomContext",
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
