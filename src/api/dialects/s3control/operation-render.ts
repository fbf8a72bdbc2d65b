/**
 * The `<Operation>` element of DescribeJob: each canonical operation under its S3 Control name
 * (S3CONTROL_OPERATION_NAMES, operation.ts), with every field the model holds, in the order of the AWS model.
 * AWS has no word for COS's `Add` directives on copy; they are shown as `ADD`. Google's operations (D47): a
 * rewrite as AWS's S3UpdateObjectEncryption, a hold as S3PutObjectLegalHold (the temporary hold in AWS's
 * LegalHold, an event-based hold in an extension child EventBasedHold), and the extension elements
 * S3UpdateObjectMetadata and S3UpdateObjectCustomContext; a delete of every version adds AllVersions.
 */
import type { Directive, Grant, NewObjectMetadata, Operation } from "../../../domain/job.js";
import { el, leaf, optLeaf, type XmlNode } from "../../xml/build.js";
import { contentHeaderElements } from "../shared/metadata-patch-element.js";
import { S3CONTROL_OPERATION_NAMES } from "./operation.js";
import { formatS3ControlTimestamp } from "./timestamps.js";
import { map, tagList, valueList } from "./xml-shapes.js";

const DIRECTIVE_OUT: Readonly<Record<Directive, string>> = { Copy: "COPY", Replaced: "REPLACE", Add: "ADD" };

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
    case "ReplicateObject":
      return el(name);
    case "DeleteObject":
      return el(name, op.allVersions === true && leaf("AllVersions", true));
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
    case "RewriteObject":
      return el(name, el("ObjectEncryption", el("SSE-KMS", leaf("KMSKeyArn", op.kmsKey))));
    case "PutObjectHold":
      return el(
        name,
        op.temporaryHold !== undefined && el("LegalHold", leaf("Status", onOff(op.temporaryHold))),
        op.eventBasedHold !== undefined && el("EventBasedHold", leaf("Status", onOff(op.eventBasedHold))),
      );
    case "UpdateObjectMetadata":
      return el(
        name,
        ...contentHeaderElements(op),
        time("CustomTime", op.customTime),
        op.userMetadata && map("UserMetadata", op.userMetadata),
        op.retention &&
          el("Retention", time("RetainUntilDate", op.retention.retainUntilDate), leaf("Mode", op.retention.mode)),
      );
    case "UpdateObjectCustomContext":
      return el(
        name,
        op.set && tagList("TagSet", op.set),
        op.remove && valueList("RemoveKeys", op.remove),
        optLeaf("RemoveAll", op.removeAll),
      );
  }
}

function onOff(on: boolean): "ON" | "OFF" {
  return on ? "ON" : "OFF";
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
