/**
 * UpdateObjectMetadata (Google putMetadata, D45): patches the object's metadata in place. Each field the job
 * gives replaces the object's, and an empty string clears it; each user metadata entry is set (an empty value
 * removes the key) and the object's other entries stay; what the job leaves out is kept. Google's Custom-Time
 * has no S3 field: it is kept as the user metadata entry `custom-time` (RFC 3339), and as on Google it can be
 * set or moved later, never earlier or removed (400 InvalidArgument).
 *
 * The write is the storage's replaceMetadata, conditional on the ETag the HEAD read, so an object written in
 * between fails the task with 412 PreconditionFailed rather than being overwritten (S3: CopyObject onto itself;
 * local: its metadata row). A patch that changes nothing writes nothing, so the task is safe to repeat. A
 * retention (Google objectRetention) is then set as PutObjectRetention sets it, on the version just written.
 */
import type { UpdateObjectMetadataOperation } from "../domain/job.js";
import { failed, succeeded } from "../domain/task.js";
import type { ObjectMetadata, RetentionSetting } from "../storage/types.js";
import { settle } from "./outcome.js";
import { retentionSetting } from "./put-object-retention.js";
import type { OperationRunner } from "./types.js";

/** The user metadata entry that holds Google's Custom-Time. */
export const CUSTOM_TIME_KEY = "custom-time";

export const updateObjectMetadata: OperationRunner<UpdateObjectMetadataOperation> = (task, operation, context) =>
  settle(context, async () => {
    const retention = retentionOf(operation);
    if (typeof retention === "string") return failed(400, "InvalidArgument", retention);
    const { storage } = context;
    const info = await storage.head(task.bucket, task.key, task.versionId);
    const patched = patchMetadata(info.metadata, operation);
    if (typeof patched === "string") return failed(400, "InvalidArgument", patched);
    let versionId = task.versionId;
    if (!sameMetadata(info.metadata, patched)) {
      const written = await storage.replaceMetadata(task.bucket, task.key, patched, {
        ifMatch: info.etag,
        ...(task.versionId !== undefined ? { versionId: task.versionId } : {}),
      });
      if (task.versionId !== undefined && written.versionId !== undefined) versionId = written.versionId;
    }
    if (retention !== undefined) await storage.putRetention(task.bucket, task.key, retention, versionId);
    return succeeded();
  });

function retentionOf(operation: UpdateObjectMetadataOperation): RetentionSetting | string | undefined {
  const r = operation.retention;
  if (r === undefined) return undefined;
  return retentionSetting({ kind: "PutObjectRetention", mode: r.mode, retainUntilDate: r.retainUntilDate });
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
const FIELDS = ["cacheControl", "contentDisposition", "contentEncoding", "contentLanguage", "contentType"] as const;

/** The object's metadata with the job's patch applied, or a message saying why the patch cannot apply. */
export function patchMetadata(
  current: ObjectMetadata,
  operation: UpdateObjectMetadataOperation,
): ObjectMetadata | string {
  const out: Mutable<ObjectMetadata> = { ...current };
  for (const field of FIELDS) {
    const value = operation[field];
    if (value === undefined) continue;
    if (value === "") delete out[field];
    else out[field] = value;
  }
  const user: Record<string, string> = { ...(current.userMetadata ?? {}) };
  for (const { key, value } of operation.userMetadata ?? []) {
    const name = key.toLowerCase();
    if (value === "") delete user[name];
    else user[name] = value;
  }
  if (operation.customTime !== undefined) {
    const time = customTime(user[CUSTOM_TIME_KEY], operation.customTime);
    if (time.problem !== undefined) return time.problem;
    user[CUSTOM_TIME_KEY] = time.value;
  }
  if (Object.keys(user).length > 0) out.userMetadata = user;
  else delete out.userMetadata;
  return out;
}

function customTime(existing: string | undefined, requested: string): { value: string; problem?: string } {
  if (requested === "") return { value: "", problem: "Custom-Time cannot be removed once it is set" };
  const ms = Date.parse(requested);
  if (!Number.isFinite(ms)) return { value: "", problem: `Custom-Time is not a valid RFC 3339 time: ${requested}` };
  const before = existing === undefined ? Number.NaN : Date.parse(existing);
  if (Number.isFinite(before) && ms < before) {
    return {
      value: "",
      problem: `Custom-Time cannot decrease: the object's is ${existing}, the job gives ${requested}`,
    };
  }
  return { value: new Date(ms).toISOString() };
}

function sameMetadata(a: ObjectMetadata, b: ObjectMetadata): boolean {
  return JSON.stringify(normalized(a)) === JSON.stringify(normalized(b));
}

function normalized(m: ObjectMetadata): unknown[] {
  const user = Object.entries(m.userMetadata ?? {}).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return [m.cacheControl, m.contentDisposition, m.contentEncoding, m.contentLanguage, m.contentType, m.expires, user];
}
