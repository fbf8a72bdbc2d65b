/**
 * OSS operations <-> canonical operations (the OSS batch-job documentation; docs/decisions.md D1).
 *
 * OSS documents five operations, each an element of `<Operation>`:
 *   PutObjectTagging{TagSet{Tag{Key,Value}*}}   -> PutObjectTagging (replaces the object's tags)
 *   AddObjectTagging{TagSet{Tag{Key,Value}+}}   -> AddObjectTagging (merges into the object's tags)
 *   DeleteObjectTagging (empty)                 -> DeleteObjectTagging
 *   PutObjectAcl{ObjectAcl}                     -> PutObjectAcl with a canned ACL
 *   RestoreObject{Days?, Tier?}                 -> InitiateRestoreObject
 * and objbatch adds DeleteObject (empty element) as an extension (D1).
 *
 * Jobs created through COS or S3 Control may hold operations OSS has no word for. ListJobs shows them under
 * their canonical name (PutObjectCopy, PutObjectLegalHold, PutObjectRetention, ComputeObjectChecksum,
 * InvokeFunction, ReplicateObject), and DescribeJob renders them as an element of that name whose children are
 * the canonical fields in OSS style: plain bucket names (TargetBucket), flat value elements, tags as
 * TagSet/Tag. These names are output only: an OSS CreateJob naming them is rejected as an unknown operation,
 * since OSS clients cannot send them and objbatch would otherwise be inventing an OSS API. Google's operations
 * (UpdateObjectMetadata, RewriteObject, PutObjectHold, UpdateObjectCustomContext) show the same way (D47); a
 * delete of every version adds AllVersions.
 */
import { malformedXml } from "../../../domain/errors.js";
import type { Operation, OperationKind, Tag } from "../../../domain/job.js";
import { el, leaf, optLeaf, type XmlNode } from "../../xml/build.js";
import type { XmlReader } from "../../xml/read.js";
import { contentHeaderElements } from "../shared/metadata-patch-element.js";
import { MAX_OBJECT_TAGS, readObjectTag, rejectDuplicateKeys } from "../shared/object-values.js";
import { parseSingleOperation } from "../shared/operation-element.js";

/** The name each canonical operation has in OSS requests and responses (ListJobs `Operation`). */
export const OSS_OPERATION_NAMES: Readonly<Record<OperationKind, string>> = {
  PutObjectTagging: "PutObjectTagging",
  AddObjectTagging: "AddObjectTagging",
  DeleteObjectTagging: "DeleteObjectTagging",
  PutObjectAcl: "PutObjectAcl",
  InitiateRestoreObject: "RestoreObject",
  // objbatch extension accepted on input (D1)
  DeleteObject: "DeleteObject",
  // output only: operations of jobs created through COS or S3 Control
  PutObjectCopy: "PutObjectCopy",
  PutObjectLegalHold: "PutObjectLegalHold",
  PutObjectRetention: "PutObjectRetention",
  ComputeObjectChecksum: "ComputeObjectChecksum",
  InvokeFunction: "InvokeFunction",
  ReplicateObject: "ReplicateObject",
  // output only: operations of jobs created through the Google dialect (D47)
  UpdateObjectMetadata: "UpdateObjectMetadata",
  RewriteObject: "RewriteObject",
  PutObjectHold: "PutObjectHold",
  UpdateObjectCustomContext: "UpdateObjectCustomContext",
};

/** OSS object ACLs (`default` follows the bucket's ACL). */
export const OSS_OBJECT_ACLS = ["default", "private", "public-read", "public-read-write"] as const;
/** RestoreObject tiers (Cold Archive and Deep Cold Archive objects; Archive objects ignore the tier). */
export const OSS_RESTORE_TIERS = ["Expedited", "Standard", "Bulk"] as const;

/** Reads `<Operation>`: exactly one known operation element. */
export function parseOssOperation(r: XmlReader): Operation {
  return parseSingleOperation(r, parseOne);
}

function parseOne(o: XmlReader): Operation {
  switch (o.name) {
    case "PutObjectTagging":
      return { kind: "PutObjectTagging", tagSet: readTagSet(o, 0) };
    case "AddObjectTagging":
      return { kind: "AddObjectTagging", tagSet: readTagSet(o, 1) };
    case "DeleteObjectTagging":
      o.requireNoText();
      return { kind: "DeleteObjectTagging" };
    case "DeleteObject":
      o.requireNoText();
      return { kind: "DeleteObject" };
    case "PutObjectAcl":
      return { kind: "PutObjectAcl", acl: { canned: o.requiredEnum("ObjectAcl", OSS_OBJECT_ACLS) } };
    case "RestoreObject": {
      const days = o.optionalInt("Days", { min: 1, max: 365 });
      const tier = o.optionalEnum("Tier", OSS_RESTORE_TIERS);
      return {
        kind: "InitiateRestoreObject",
        ...(days !== undefined ? { expirationInDays: days } : {}),
        ...(tier !== undefined ? { tier } : {}),
      };
    }
    default:
      throw malformedXml(
        `Unknown operation ${o.path}: OSS batch jobs support PutObjectTagging, AddObjectTagging, ` +
          "DeleteObjectTagging, PutObjectAcl, RestoreObject and (objbatch) DeleteObject.",
      );
  }
}

function readTagSet(o: XmlReader, min: number): Tag[] {
  const tags = o.requiredList("TagSet", "Tag", readObjectTag, { min, max: MAX_OBJECT_TAGS });
  rejectDuplicateKeys(tags, `${o.path}/TagSet`);
  return tags;
}

// ---------------------------------------------------------------------------------------------------------
// Rendering

/** `<Operation>` for DescribeJob, with the operation under its OSS (or extension) name. */
export function renderOssOperation(op: Operation): XmlNode {
  return el("Operation", renderOne(op));
}

function renderOne(op: Operation): XmlNode {
  const name = OSS_OPERATION_NAMES[op.kind];
  switch (op.kind) {
    case "PutObjectTagging":
    case "AddObjectTagging":
      return el(name, renderTagSet("TagSet", op.tagSet));
    case "DeleteObjectTagging":
    case "ReplicateObject":
      return el(name);
    case "DeleteObject":
      return el(name, op.allVersions === true && leaf("AllVersions", true));
    case "PutObjectAcl":
      // OSS knows only canned ACLs; a job given grants through another dialect shows its grants as well.
      return el(
        name,
        optLeaf("ObjectAcl", op.acl.canned),
        op.acl.grants &&
          el(
            "Grants",
            op.acl.grants.map((g) =>
              el(
                "Grant",
                leaf("GranteeType", g.granteeType),
                leaf("Identifier", g.identifier),
                leaf("Permission", g.permission),
              ),
            ),
          ),
      );
    case "InitiateRestoreObject":
      return el(name, optLeaf("Days", op.expirationInDays), optLeaf("Tier", op.tier));
    case "PutObjectCopy":
      return el(
        name,
        leaf("TargetBucket", op.targetResource.bucket),
        optLeaf("TargetKeyPrefix", op.targetKeyPrefix),
        optLeaf("ResourcesPrefix", op.resourcesPrefix),
        optLeaf("StorageClass", op.storageClass),
        optLeaf("MetadataDirective", op.metadataDirective),
        optLeaf("TaggingDirective", op.taggingDirective),
        op.newObjectTagging && renderTagSet("NewObjectTagging", op.newObjectTagging),
        optLeaf("ObjectAcl", op.cannedAccessControlList),
      );
    case "PutObjectLegalHold":
      return el(name, leaf("Status", op.status));
    case "PutObjectRetention":
      return el(
        name,
        optLeaf("Mode", op.mode),
        optLeaf("RetainUntilDate", op.retainUntilDate),
        optLeaf("BypassGovernanceRetention", op.bypassGovernanceRetention),
      );
    case "ComputeObjectChecksum":
      return el(name, leaf("ChecksumAlgorithm", op.algorithm), optLeaf("ChecksumType", op.checksumType));
    case "InvokeFunction":
      return el(
        name,
        leaf("FunctionArn", op.functionArn),
        optLeaf("InvocationSchemaVersion", op.invocationSchemaVersion),
        op.userArguments && renderTagSet("UserArguments", op.userArguments),
      );
    case "UpdateObjectMetadata":
      return el(
        name,
        ...contentHeaderElements(op),
        optLeaf("CustomTime", op.customTime),
        op.userMetadata && renderTagSet("UserMetadata", op.userMetadata),
        optLeaf("RetentionMode", op.retention?.mode),
        optLeaf("RetainUntilDate", op.retention?.retainUntilDate),
      );
    case "RewriteObject":
      return el(name, leaf("KmsKey", op.kmsKey));
    case "PutObjectHold":
      return el(name, optLeaf("TemporaryHold", op.temporaryHold), optLeaf("EventBasedHold", op.eventBasedHold));
    case "UpdateObjectCustomContext":
      return el(
        name,
        op.set && renderTagSet("TagSet", op.set),
        op.remove &&
          el(
            "RemoveKeys",
            op.remove.map((k) => leaf("Key", k)),
          ),
        optLeaf("RemoveAll", op.removeAll),
      );
  }
}

function renderTagSet(name: string, tags: readonly Tag[]): XmlNode {
  return el(
    name,
    tags.map((t) => el("Tag", leaf("Key", t.key), leaf("Value", t.value))),
  );
}
