/**
 * AddObjectTagging (COS COSPutObjectTagging with TaggingDirective Add, OSS AddObjectTagging): merges the job's
 * tags into the object's: a job tag replaces the object's tag with the same key, other tags stay. Like OSS,
 * this reads then writes (not atomic against a concurrent writer); repeating it gives the same tag set. A
 * merged set over S3's limit of 10 tags fails the task with 400 BadRequest and changes nothing.
 */
import type { AddObjectTaggingOperation, Tag } from "../domain/job.js";
import { failed, succeeded } from "../domain/task.js";
import { settle } from "./outcome.js";
import type { OperationRunner } from "./types.js";

export const MAX_OBJECT_TAGS = 10;

export const addObjectTagging: OperationRunner<AddObjectTaggingOperation> = (task, operation, context) =>
  settle(context, async () => {
    const current = await context.storage.getTagging(task.bucket, task.key, task.versionId);
    const merged = mergeTagSets(current, operation.tagSet);
    if (merged.length > MAX_OBJECT_TAGS) {
      return failed(
        400,
        "BadRequest",
        `Object tags cannot be greater than ${MAX_OBJECT_TAGS}: adding ${operation.tagSet.length} tags to the object's ${current.length} gives ${merged.length}`,
      );
    }
    await context.storage.putTagging(task.bucket, task.key, merged, task.versionId);
    return succeeded();
  });

/** The object's tags with `added` merged in; an added tag wins over an existing one with the same key. */
export function mergeTagSets(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const merged = new Map<string, string>();
  for (const t of existing) merged.set(t.key, t.value);
  for (const t of added) merged.set(t.key, t.value);
  return [...merged].map(([key, value]) => ({ key, value }));
}
