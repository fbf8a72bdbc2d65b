/**
 * PutObjectCopy (AWS S3PutObjectCopy, COS COSPutObjectCopy): copies each object into the target bucket.
 *
 * - Target key: with prefixReplace (COS), `resourcesPrefix` at the start of the key is replaced literally by
 *   `targetKeyPrefix` (`picture.jpg` with `pic` -> `abc` gives `abcture.jpg`; keys not starting with it keep
 *   their name). Without it (AWS), `targetKeyPrefix` is a folder the key is copied into (`Folder1` + `a.txt` ->
 *   `Folder1/a.txt`).
 * - Without a directive, metadata and tags are copied unless new ones are given (then they replace the
 *   source's), as AWS does. The ACL is not copied unless AccessControlDirective says Copy: AWS CopyObject and
 *   COS PUT Object-copy both give the copy the default ACL when the request names none.
 * - Modified/unmodified-since constraints that do not hold fail the task with 412 PreconditionFailed.
 * - AWS's target settings (SSE-S3/SSE-KMS, bucket key, checksum algorithm, Object Lock mode/date/legal hold,
 *   redirect location, requester-pays) travel in the copy options: the S3 backend sends them with the copy; a
 *   backend that cannot honour one refuses the task rather than drop it (storage/target-settings.ts).
 */
import type { AccessControlList, NewObjectMetadata, PutObjectCopyOperation } from "../domain/job.js";
import { failed, succeeded } from "../domain/task.js";
import type { CopyOptions, ObjectMetadata, TargetSettings } from "../storage/types.js";
import { settle } from "./outcome.js";
import type { OperationRunner } from "./types.js";

export const putObjectCopy: OperationRunner<PutObjectCopyOperation> = (task, operation, context) =>
  settle(context, async () => {
    const targetKey = copyTargetKey(task.key, operation);
    if (targetKey === "") {
      return failed(400, "InvalidArgument", `The target key for ${task.key} is empty after applying the key prefix`);
    }
    const shared = jobCopyOptions(operation);
    if (typeof shared === "string") return failed(400, "InvalidArgument", shared);
    const options = task.versionId === undefined ? shared : { ...shared, sourceVersionId: task.versionId };
    await context.storage.copy(
      { bucket: task.bucket, key: task.key },
      { bucket: operation.targetResource.bucket, key: targetKey },
      options,
    );
    return succeeded();
  });

/** The options are the same for every task of a job: worked out once per operation. */
const optionsByOperation = new WeakMap<PutObjectCopyOperation, CopyOptions | string>();

function jobCopyOptions(operation: PutObjectCopyOperation): CopyOptions | string {
  let options = optionsByOperation.get(operation);
  if (options === undefined) {
    options = copyOptions(operation);
    optionsByOperation.set(operation, options);
  }
  return options;
}

/** The key an object is copied to. */
export function copyTargetKey(key: string, operation: PutObjectCopyOperation): string {
  if (operation.prefixReplace) {
    const from = operation.resourcesPrefix ?? "";
    return key.startsWith(from) ? (operation.targetKeyPrefix ?? "") + key.slice(from.length) : key;
  }
  const folder = operation.targetKeyPrefix;
  if (!folder) return key;
  return folder.endsWith("/") ? folder + key : `${folder}/${key}`;
}

/** The storage copy options for the operation, or a message saying which parameter is invalid. */
export function copyOptions(operation: PutObjectCopyOperation, sourceVersionId?: string): CopyOptions | string {
  const metadata = operation.newObjectMetadata ? toObjectMetadata(operation.newObjectMetadata) : undefined;
  const aclGiven = operation.accessControlGrants !== undefined || operation.cannedAccessControlList !== undefined;
  const acl: AccessControlList | undefined = aclGiven
    ? {
        ...(operation.cannedAccessControlList !== undefined ? { canned: operation.cannedAccessControlList } : {}),
        ...(operation.accessControlGrants !== undefined ? { grants: operation.accessControlGrants } : {}),
      }
    : undefined;
  const options: { -readonly [K in keyof CopyOptions]: CopyOptions[K] } = {
    metadataDirective: operation.metadataDirective ?? (metadata !== undefined ? "Replaced" : "Copy"),
    taggingDirective: operation.taggingDirective ?? (operation.newObjectTagging !== undefined ? "Replaced" : "Copy"),
    aclDirective: operation.accessControlDirective ?? "Replaced",
  };
  if (sourceVersionId !== undefined) options.sourceVersionId = sourceVersionId;
  if (metadata !== undefined) options.metadata = metadata;
  if (operation.newObjectTagging !== undefined) options.tags = operation.newObjectTagging;
  if (acl !== undefined) options.acl = acl;
  if (operation.storageClass !== undefined) options.storageClass = operation.storageClass;
  if (operation.modifiedSinceConstraint !== undefined) {
    const since = parseInstant(operation.modifiedSinceConstraint);
    if (since === undefined) return `ModifiedSinceConstraint is not a valid time: ${operation.modifiedSinceConstraint}`;
    options.ifModifiedSince = since;
  }
  if (operation.unModifiedSinceConstraint !== undefined) {
    const since = parseInstant(operation.unModifiedSinceConstraint);
    if (since === undefined) {
      return `UnModifiedSinceConstraint is not a valid time: ${operation.unModifiedSinceConstraint}`;
    }
    options.ifUnmodifiedSince = since;
  }
  const settings = targetSettings(operation);
  if (typeof settings === "string") return settings;
  return { ...options, ...settings };
}

/** AWS's settings of the new object, or a message saying which one is invalid. */
function targetSettings(operation: PutObjectCopyOperation): TargetSettings | string {
  const out: { -readonly [K in keyof TargetSettings]: TargetSettings[K] } = {};
  const sse = operation.newObjectMetadata?.sseAlgorithm;
  if (sse !== undefined) {
    const algorithm = SSE_ALGORITHMS[sse.toUpperCase()];
    if (algorithm === undefined) return `SSEAlgorithm must be AES256 or KMS, got ${sse}`;
    out.sseAlgorithm = algorithm;
  }
  if (operation.sseAwsKmsKeyId !== undefined) {
    if (out.sseAlgorithm === "AES256") return "SSEAwsKmsKeyId needs SSEAlgorithm KMS, not AES256";
    out.sseAlgorithm = "aws:kms";
    out.sseKmsKeyId = operation.sseAwsKmsKeyId;
  }
  if (operation.bucketKeyEnabled !== undefined) out.bucketKeyEnabled = operation.bucketKeyEnabled;
  if (operation.checksumAlgorithm !== undefined) out.checksumAlgorithm = operation.checksumAlgorithm;
  const { objectLockMode: mode, objectLockRetainUntilDate: until } = operation;
  if ((mode === undefined) !== (until === undefined)) {
    return "ObjectLockMode and ObjectLockRetainUntilDate must be given together";
  }
  if (mode !== undefined && until !== undefined) {
    const date = parseInstant(until);
    if (date === undefined) return `ObjectLockRetainUntilDate is not a valid time: ${until}`;
    out.objectLockMode = mode;
    out.objectLockRetainUntilDate = date;
  }
  if (operation.objectLockLegalHoldStatus !== undefined) out.objectLockLegalHold = operation.objectLockLegalHoldStatus;
  if (operation.redirectLocation !== undefined) out.websiteRedirectLocation = operation.redirectLocation;
  if (operation.requesterPays) out.requesterPays = true;
  return out;
}

const SSE_ALGORITHMS: Readonly<Record<string, TargetSettings["sseAlgorithm"]>> = {
  AES256: "AES256",
  KMS: "aws:kms",
  "AWS:KMS": "aws:kms",
};

function toObjectMetadata(m: NewObjectMetadata): ObjectMetadata {
  const out: { -readonly [K in keyof ObjectMetadata]: ObjectMetadata[K] } = {};
  if (m.contentType !== undefined) out.contentType = m.contentType;
  if (m.cacheControl !== undefined) out.cacheControl = m.cacheControl;
  if (m.contentDisposition !== undefined) out.contentDisposition = m.contentDisposition;
  if (m.contentEncoding !== undefined) out.contentEncoding = m.contentEncoding;
  if (m.contentLanguage !== undefined) out.contentLanguage = m.contentLanguage;
  if (m.httpExpiresDate !== undefined) out.expires = m.httpExpiresDate;
  if (m.userMetadata !== undefined && m.userMetadata.length > 0) {
    out.userMetadata = Object.fromEntries(m.userMetadata.map((t) => [t.key.toLowerCase(), t.value]));
  }
  return out;
}

/** ISO-8601 as the canonical model says; bare digits are Unix seconds (COS types these as int64). */
function parseInstant(value: string): Date | undefined {
  const ms = /^\d+$/.test(value.trim()) ? Number(value.trim()) * 1000 : Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}
