/**
 * Makes sure a new object got the tags and the Object Lock settings its write asked for. AWS honours
 * x-amz-tagging on PutObject, CopyObject (with TaggingDirective REPLACE) and CreateMultipartUpload, and the
 * Object Lock headers on all three; s3rver and Ceph RGW 16 ignore some of them (RGW 16: the tagging directive and
 * the lock headers of CopyObject, tags on multipart uploads).
 *
 * Until an object proves that this endpoint honours them for a kind of write (its tags equal the requested ones
 * and differ from what it would have had otherwise; its lock state is the one asked for), each new object is read
 * back; once the endpoint is seen to ignore them, they are set with PutObjectTagging, PutObjectLegalHold and
 * PutObjectRetention after every such write, without reading back.
 */
import type { Tag } from "../../domain/job.js";
import { applyObjectLock, hasObjectLock } from "../target-settings.js";
import type { ObjectLockState, ObjectStorage, TargetSettings, WriteResult } from "../types.js";

/** The kinds of write a server may treat differently (tags and locks on a put, a copy, a multipart upload). */
export type WriteKind = "put" | "copy" | "multipart";

/** The kind of write a put was, from its ETag: `<hex>-<parts>` is a multipart upload's. */
export const putKind = (etag: string): WriteKind => (/-\d+"?$/.test(etag) ? "multipart" : "put");

type Support = "unknown" | "native" | "separate";

export class WriteChecks {
  private readonly tagSupport: Record<WriteKind, Support> = { put: "unknown", copy: "unknown", multipart: "unknown" };
  private readonly lockSupport: Record<WriteKind, Support> = { put: "unknown", copy: "unknown", multipart: "unknown" };

  constructor(private readonly storage: ObjectStorage) {}

  /**
   * The tags `tags` on the object just written; `otherwise` gives the tags it would have without them (for a copy:
   * the source's), which tells an endpoint that honours the header from one that happened to copy the same tags.
   */
  async ensureTags(
    kind: WriteKind,
    target: { bucket: string; key: string },
    tags: readonly Tag[],
    written: WriteResult,
    otherwise: () => Promise<readonly Tag[]>,
  ): Promise<void> {
    const state = this.tagSupport[kind];
    if (state === "native") return;
    if (state === "unknown") {
      const got = await this.storage.getTagging(target.bucket, target.key, written.versionId);
      if (sameTags(got, tags)) {
        if (!sameTags(await otherwise(), tags)) this.tagSupport[kind] = "native";
        return;
      }
      this.tagSupport[kind] = "separate";
    }
    await this.storage.putTagging(target.bucket, target.key, tags, written.versionId);
  }

  /** The Object Lock settings of `settings` on the object just written (nothing to do without any). */
  async ensureLock(
    kind: WriteKind,
    target: { bucket: string; key: string },
    settings: TargetSettings,
    written: WriteResult,
  ): Promise<void> {
    if (!hasObjectLock(settings)) return;
    const state = this.lockSupport[kind];
    if (state === "native") return;
    if (state === "unknown") {
      const { objectLock } = await this.storage.head(target.bucket, target.key, written.versionId);
      if (lockMatches(objectLock, settings)) {
        this.lockSupport[kind] = "native";
        return;
      }
      this.lockSupport[kind] = "separate";
    }
    await applyObjectLock(this.storage, target, settings, written);
  }
}

/** Object Lock state as asked for: legal hold, and mode with retain-until date (S3 keeps whole seconds). */
export function lockMatches(lock: ObjectLockState | undefined, s: TargetSettings): boolean {
  if (s.objectLockLegalHold === "ON" && lock?.legalHold !== "ON") return false;
  if (s.objectLockMode !== undefined && lock?.mode !== s.objectLockMode) return false;
  if (s.objectLockRetainUntilDate !== undefined) {
    const want = Math.floor(s.objectLockRetainUntilDate.getTime() / 1000);
    const got = lock?.retainUntilDate === undefined ? undefined : Math.floor(lock.retainUntilDate.getTime() / 1000);
    if (got !== want) return false;
  }
  return true;
}

/** The same tag set, in any order. */
export function sameTags(a: readonly Tag[], b: readonly Tag[]): boolean {
  if (a.length !== b.length) return false;
  const m = new Map(a.map((t) => [t.key, t.value]));
  return b.every((t) => m.get(t.key) === t.value);
}
