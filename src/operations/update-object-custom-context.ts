/**
 * UpdateObjectCustomContext (Google updateObjectCustomContext, D45): an object's custom contexts are kept as its
 * tags, S3's nearest thing (key/value pairs beside the object, changed without rewriting it). The job's
 * removeAll clears them first, then `remove` drops those keys and `set` sets those values. Like
 * AddObjectTagging this reads then writes (not atomic against a concurrent writer); repeating it gives the same
 * tags. A result over S3's limit of 10 tags fails the task with 400 BadRequest and changes nothing; a result
 * equal to the object's tags writes nothing; an empty one deletes the tagging.
 */
import type { Tag, UpdateObjectCustomContextOperation } from "../domain/job.js";
import { failed, succeeded } from "../domain/task.js";
import { MAX_OBJECT_TAGS } from "./add-object-tagging.js";
import { settle } from "./outcome.js";
import type { OperationRunner } from "./types.js";

export const updateObjectCustomContext: OperationRunner<UpdateObjectCustomContextOperation> = (
  task,
  operation,
  context,
) =>
  settle(context, async () => {
    const { storage } = context;
    const current = await storage.getTagging(task.bucket, task.key, task.versionId);
    const next = updatedContexts(current, operation);
    if (next.length > MAX_OBJECT_TAGS) {
      return failed(
        400,
        "BadRequest",
        `Object tags cannot be greater than ${MAX_OBJECT_TAGS}: the object's custom contexts are kept as its tags, and this update gives ${next.length}`,
      );
    }
    if (sameTags(current, next)) return succeeded();
    if (next.length === 0) await storage.deleteTagging(task.bucket, task.key, task.versionId);
    else await storage.putTagging(task.bucket, task.key, next, task.versionId);
    return succeeded();
  });

/** The object's tags after the update: all removed (removeAll), then `remove`'s keys dropped, then `set` set. */
export function updatedContexts(current: readonly Tag[], operation: UpdateObjectCustomContextOperation): Tag[] {
  const tags = new Map<string, string>();
  if (!operation.removeAll) for (const t of current) tags.set(t.key, t.value);
  for (const key of operation.remove ?? []) tags.delete(key);
  for (const t of operation.set ?? []) tags.set(t.key, t.value);
  return [...tags].map(([key, value]) => ({ key, value }));
}

function sameTags(a: readonly Tag[], b: readonly Tag[]): boolean {
  if (a.length !== b.length) return false;
  const values = new Map(a.map((t) => [t.key, t.value]));
  return b.every((t) => values.get(t.key) === t.value);
}
