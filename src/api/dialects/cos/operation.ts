/**
 * COS operations <-> canonical operations (docs/decisions.md D1).
 *
 * COS documents four operations: COSPutObjectCopy, COSInitiateRestoreObject, COSPutObjectTagging (with
 * TaggingDirective Replaced | Add; Add is the canonical AddObjectTagging) and COSDeleteObject. objbatch adds
 * two it accepts on input, in the same style: COSDeleteObjectTagging (empty element) and COSPutObjectAcl.
 * Jobs created through the other dialects may hold operations COS has no word for; they are shown under
 * output-only extension names (COS_OPERATION_NAMES) so a COS client can still list and describe them. Google's
 * operations (D47) have no COS counterpart either: COSUpdateObjectMetadata, COSRewriteObject, COSPutObjectHold
 * and COSUpdateObjectCustomContext, their fields in COS style; a delete of every version adds AllVersions.
 */

import { invalidArgument, malformedXml } from "../../../domain/errors.js";
import type {
  Directive,
  Grant,
  NewObjectMetadata,
  Operation,
  OperationKind,
  PutObjectCopyOperation,
  Tag,
} from "../../../domain/job.js";
import { parseBucketRef } from "../../bucket-arn.js";
import { el, leaf, optLeaf, type XmlNode } from "../../xml/build.js";
import type { XmlReader } from "../../xml/read.js";
import { type GrantRules, readGrant, readOwner } from "../shared/acl.js";
import { contentHeaderElements } from "../shared/metadata-patch-element.js";
import {
  dropUndefined,
  HEADER_TOKEN,
  MAX_OBJECT_TAGS,
  MAX_USER_METADATA_BYTES,
  NO_CONTROL,
  readObjectTag,
  rejectDuplicateKeys,
  requireUserMetadataWithinLimit,
} from "../shared/object-values.js";
import { missingElement, parseSingleOperation } from "../shared/operation-element.js";
import { formatCosTimestamp, parseCosTimestamp } from "./timestamps.js";

/** The element name each canonical operation has in COS requests and responses (ListJobs `Operation`). */
export const COS_OPERATION_NAMES: Readonly<Record<OperationKind, string>> = {
  PutObjectCopy: "COSPutObjectCopy",
  DeleteObject: "COSDeleteObject",
  InitiateRestoreObject: "COSInitiateRestoreObject",
  PutObjectTagging: "COSPutObjectTagging",
  AddObjectTagging: "COSPutObjectTagging",
  // objbatch extensions accepted on input (D1)
  DeleteObjectTagging: "COSDeleteObjectTagging",
  PutObjectAcl: "COSPutObjectAcl",
  // objbatch extensions for output only: operations created through S3 Control
  PutObjectLegalHold: "COSPutObjectLegalHold",
  PutObjectRetention: "COSPutObjectRetention",
  ComputeObjectChecksum: "COSComputeObjectChecksum",
  InvokeFunction: "COSInvokeFunction",
  ReplicateObject: "COSReplicateObject",
  // objbatch extensions for output only: operations created through the Google dialect (D47)
  UpdateObjectMetadata: "COSUpdateObjectMetadata",
  RewriteObject: "COSRewriteObject",
  PutObjectHold: "COSPutObjectHold",
  UpdateObjectCustomContext: "COSUpdateObjectCustomContext",
};

const DIRECTIVES = ["Copy", "Replaced", "Add"] as const satisfies readonly Directive[];
/** COS object ACLs (`default` inherits the bucket's) plus the S3 canned ACLs S3-compatible backends know. */
const CANNED_ACLS = [
  "default",
  "private",
  "public-read",
  "public-read-write",
  "authenticated-read",
  "bucket-owner-read",
  "bucket-owner-full-control",
] as const;
/** COS storage classes (the batch document lists STANDARD and STANDARD_IA; COS has these others too). */
const STORAGE_CLASSES = [
  "STANDARD",
  "STANDARD_IA",
  "ARCHIVE",
  "DEEP_ARCHIVE",
  "INTELLIGENT_TIERING",
  "MAZ_STANDARD",
  "MAZ_STANDARD_IA",
  "MAZ_INTELLIGENT_TIERING",
  "MAZ_ARCHIVE",
] as const;
/** Grantee types: COS writes `ID`; the S3 spellings are accepted too. DisplayName may be empty. */
const COS_GRANTS: GrantRules = {
  granteeTypes: {
    ID: "id",
    id: "id",
    EmailAddress: "emailAddress",
    emailAddress: "emailAddress",
    URI: "uri",
    uri: "uri",
  },
  displayNameMin: 0,
};
const GRANTEE_TYPE_OUT: Readonly<Record<Grant["granteeType"], string>> = {
  id: "ID",
  emailAddress: "emailAddress",
  uri: "uri",
};

/** Reads `<Operation>`: exactly one known operation element. */
export function parseCosOperation(r: XmlReader): Operation {
  return parseSingleOperation(r, parseOne);
}

function parseOne(o: XmlReader): Operation {
  switch (o.name) {
    case "COSPutObjectCopy":
      return parsePutObjectCopy(o);
    case "COSInitiateRestoreObject":
      return {
        kind: "InitiateRestoreObject",
        expirationInDays: o.requiredInt("ExpirationInDays", { min: 1, max: 365 }),
        tier: o.requiredEnum("JobTier", ["Bulk", "Standard"]),
      };
    case "COSPutObjectTagging": {
      const directive = o.optionalEnum("TaggingDirective", ["Replaced", "Add"]) ?? "Replaced";
      const tagSet = readTags(o, "TagSet", directive === "Add" ? 1 : 0) ?? missingElement(o, "TagSet");
      return directive === "Add" ? { kind: "AddObjectTagging", tagSet } : { kind: "PutObjectTagging", tagSet };
    }
    case "COSDeleteObject":
      o.requireNoText();
      return { kind: "DeleteObject" };
    case "COSDeleteObjectTagging":
      o.requireNoText();
      return { kind: "DeleteObjectTagging" };
    case "COSPutObjectAcl":
      return parsePutObjectAcl(o);
    default:
      throw malformedXml(`Unknown operation ${o.path}.`);
  }
}

function parsePutObjectCopy(o: XmlReader): PutObjectCopyOperation {
  const targetResource = parseBucketRef(o.requiredString("TargetResource", { min: 1 }), `${o.path}/TargetResource`);
  const prefixReplace = o.optionalBoolean("PrefixReplace");
  const resourcesPrefix = o.optionalString("ResourcesPrefix", { max: 1024 });
  const targetKeyPrefix = o.optionalString("TargetKeyPrefix", { max: 1024 });
  if (prefixReplace !== true && (resourcesPrefix !== undefined || targetKeyPrefix !== undefined)) {
    // COS applies the prefixes only with PrefixReplace; silently ignoring them would surprise the client.
    throw invalidArgument(`${o.path}/ResourcesPrefix and TargetKeyPrefix need PrefixReplace set to true.`);
  }
  const taggingDirective = o.optionalEnum("TaggingDirective", DIRECTIVES);
  const newObjectTagging = readTags(o, "NewObjectTagging", 0);
  if ((taggingDirective === "Replaced" || taggingDirective === "Add") && newObjectTagging === undefined) {
    throw invalidArgument(`${o.path}/NewObjectTagging is required when TaggingDirective is ${taggingDirective}.`);
  }
  const grants = o.list("AccessControlGrants", "COSGrant", readCosGrant);
  const modifiedSince = o.optionalString("ModifiedSinceConstraint");
  const unModifiedSince = o.optionalString("UnModifiedSinceConstraint");
  const op: PutObjectCopyOperation = {
    kind: "PutObjectCopy",
    targetResource,
    prefixReplace,
    resourcesPrefix: prefixReplace === true ? (resourcesPrefix ?? "") : undefined,
    targetKeyPrefix: prefixReplace === true ? (targetKeyPrefix ?? "") : undefined,
    metadataDirective: o.optionalEnum("MetadataDirective", DIRECTIVES),
    newObjectMetadata: o.child("NewObjectMetadata", readMetadata),
    taggingDirective,
    newObjectTagging,
    accessControlDirective: o.optionalEnum("AccessControlDirective", DIRECTIVES),
    accessControlGrants: grants,
    cannedAccessControlList: o.optionalEnum("CannedAccessControlList", CANNED_ACLS),
    storageClass: o.optionalEnum("StorageClass", STORAGE_CLASSES),
    modifiedSinceConstraint:
      modifiedSince === undefined ? undefined : parseCosTimestamp(modifiedSince, `${o.path}/ModifiedSinceConstraint`),
    unModifiedSinceConstraint:
      unModifiedSince === undefined
        ? undefined
        : parseCosTimestamp(unModifiedSince, `${o.path}/UnModifiedSinceConstraint`),
  };
  return dropUndefined(op);
}

function parsePutObjectAcl(o: XmlReader) {
  const canned = o.optionalEnum("CannedAccessControlList", CANNED_ACLS);
  const grants = o.list("AccessControlGrants", "COSGrant", readCosGrant);
  const owner = o.child("Owner", (w) => readOwner(w, COS_GRANTS));
  if ((canned === undefined) === (grants === undefined)) {
    throw invalidArgument(`${o.path} needs exactly one of CannedAccessControlList and AccessControlGrants.`);
  }
  if (owner !== undefined && grants === undefined) {
    throw invalidArgument(`${o.path}/Owner goes with AccessControlGrants, not with CannedAccessControlList.`);
  }
  return { kind: "PutObjectAcl" as const, acl: dropUndefined({ canned, grants, owner }) };
}

function readTags(o: XmlReader, name: string, min: number): Tag[] | undefined {
  const tags = o.list(name, "COSTag", readObjectTag, { min, max: MAX_OBJECT_TAGS });
  if (tags !== undefined) rejectDuplicateKeys(tags, `${o.path}/${name}`);
  return tags;
}

function readCosGrant(g: XmlReader): Grant {
  return readGrant(g, COS_GRANTS);
}

function readMetadata(m: XmlReader): NewObjectMetadata {
  const text = (name: string) => m.optionalString(name, { max: 1024, ...NO_CONTROL });
  const expires = m.optionalString("HttpExpiresDate");
  const userMetadata = m.list("UserMetadata", "member", (e) => ({
    key: e.requiredString("Key", {
      min: 1,
      max: 128,
      pattern: HEADER_TOKEN,
      patternHint: "must be an HTTP header token",
    }),
    value: e.requiredString("Value", { max: MAX_USER_METADATA_BYTES, ...NO_CONTROL }),
  }));
  if (userMetadata !== undefined) {
    rejectDuplicateKeys(userMetadata, `${m.path}/UserMetadata`, true);
    requireUserMetadataWithinLimit(userMetadata, `${m.path}/UserMetadata`);
  }
  return dropUndefined({
    cacheControl: text("CacheControl"),
    contentDisposition: text("ContentDisposition"),
    contentEncoding: text("ContentEncoding"),
    contentLanguage: text("ContentLanguage"),
    contentType: text("ContentType"),
    httpExpiresDate: expires === undefined ? undefined : parseCosTimestamp(expires, `${m.path}/HttpExpiresDate`),
    sseAlgorithm: m.optionalEnum("SSEAlgorithm", ["AES256"]),
    userMetadata,
  });
}

// ---------------------------------------------------------------------------------------------------------
// Rendering

/** `<Operation>` for DescribeJob, with the operation under its COS name. */
export function renderCosOperation(op: Operation): XmlNode {
  return el("Operation", renderOne(op));
}

function renderOne(op: Operation): XmlNode {
  const name = COS_OPERATION_NAMES[op.kind];
  switch (op.kind) {
    case "PutObjectCopy":
      return el(
        name,
        optLeaf("AccessControlDirective", op.accessControlDirective),
        op.accessControlGrants && el("AccessControlGrants", op.accessControlGrants.map(renderGrant)),
        optLeaf("CannedAccessControlList", op.cannedAccessControlList),
        optLeaf("MetadataDirective", op.metadataDirective),
        op.modifiedSinceConstraint !== undefined &&
          leaf("ModifiedSinceConstraint", formatCosTimestamp(op.modifiedSinceConstraint)),
        op.newObjectMetadata && renderMetadata(op.newObjectMetadata),
        op.newObjectTagging && el("NewObjectTagging", op.newObjectTagging.map(renderTag)),
        optLeaf("PrefixReplace", op.prefixReplace),
        optLeaf("ResourcesPrefix", op.resourcesPrefix),
        optLeaf("StorageClass", op.storageClass),
        optLeaf("TaggingDirective", op.taggingDirective),
        optLeaf("TargetKeyPrefix", op.targetKeyPrefix),
        leaf("TargetResource", op.targetResource.arn),
        op.unModifiedSinceConstraint !== undefined &&
          leaf("UnModifiedSinceConstraint", formatCosTimestamp(op.unModifiedSinceConstraint)),
      );
    case "InitiateRestoreObject":
      return el(name, optLeaf("ExpirationInDays", op.expirationInDays), optLeaf("JobTier", op.tier));
    case "PutObjectTagging":
    case "AddObjectTagging":
      return el(
        name,
        el("TagSet", op.tagSet.map(renderTag)),
        leaf("TaggingDirective", op.kind === "AddObjectTagging" ? "Add" : "Replaced"),
      );
    case "DeleteObjectTagging":
    case "ReplicateObject":
      return el(name);
    case "DeleteObject":
      return el(name, op.allVersions === true && leaf("AllVersions", true));
    case "PutObjectAcl":
      return el(
        name,
        op.acl.grants && el("AccessControlGrants", op.acl.grants.map(renderGrant)),
        optLeaf("CannedAccessControlList", op.acl.canned),
        op.acl.owner && el("Owner", leaf("ID", op.acl.owner.id), optLeaf("DisplayName", op.acl.owner.displayName)),
      );
    case "PutObjectLegalHold":
      return el(name, el("LegalHold", leaf("Status", op.status)));
    case "PutObjectRetention":
      return el(
        name,
        optLeaf("BypassGovernanceRetention", op.bypassGovernanceRetention),
        el(
          "Retention",
          optLeaf("Mode", op.mode),
          op.retainUntilDate !== undefined && leaf("RetainUntilDate", formatCosTimestamp(op.retainUntilDate)),
        ),
      );
    case "ComputeObjectChecksum":
      return el(name, leaf("ChecksumAlgorithm", op.algorithm), optLeaf("ChecksumType", op.checksumType));
    case "InvokeFunction":
      return el(
        name,
        leaf("FunctionArn", op.functionArn),
        optLeaf("InvocationSchemaVersion", op.invocationSchemaVersion),
        op.userArguments &&
          el(
            "UserArguments",
            op.userArguments.map((t) => el("member", leaf("Key", t.key), leaf("Value", t.value))),
          ),
      );
    case "UpdateObjectMetadata":
      // Alphabetical, as COS writes its elements.
      return el(
        name,
        ...contentHeaderElements(op),
        op.customTime !== undefined && leaf("CustomTime", formatCosTimestamp(op.customTime)),
        op.retention &&
          el(
            "Retention",
            leaf("Mode", op.retention.mode),
            leaf("RetainUntilDate", formatCosTimestamp(op.retention.retainUntilDate)),
          ),
        op.userMetadata &&
          el(
            "UserMetadata",
            op.userMetadata.map((t) => el("member", leaf("Key", t.key), leaf("Value", t.value))),
          ),
      );
    case "RewriteObject":
      return el(name, leaf("KmsKey", op.kmsKey));
    case "PutObjectHold":
      return el(name, optLeaf("EventBasedHold", op.eventBasedHold), optLeaf("TemporaryHold", op.temporaryHold));
    case "UpdateObjectCustomContext":
      return el(
        name,
        optLeaf("RemoveAll", op.removeAll),
        op.remove &&
          el(
            "RemoveKeys",
            op.remove.map((k) => leaf("Key", k)),
          ),
        op.set && el("TagSet", op.set.map(renderTag)),
      );
  }
}

function renderTag(t: Tag): XmlNode {
  return el("COSTag", leaf("Key", t.key), leaf("Value", t.value));
}

function renderGrant(g: Grant): XmlNode {
  return el(
    "COSGrant",
    el(
      "Grantee",
      optLeaf("DisplayName", g.displayName),
      leaf("Identifier", g.identifier),
      leaf("TypeIdentifier", GRANTEE_TYPE_OUT[g.granteeType]),
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
    optLeaf("ContentType", m.contentType),
    m.httpExpiresDate !== undefined && leaf("HttpExpiresDate", formatCosTimestamp(m.httpExpiresDate)),
    optLeaf("SSEAlgorithm", m.sseAlgorithm),
    m.userMetadata &&
      el(
        "UserMetadata",
        m.userMetadata.map((t) => el("member", leaf("Key", t.key), leaf("Value", t.value))),
      ),
  );
}
