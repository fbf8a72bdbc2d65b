/**
 * Restores of archived objects in the local backend. An object whose storage class is an archive class
 * (../archive.ts) can be read only while a restored copy is readable. The restore lives in the metadata row:
 * restore_tier, restore_ready_at (when the requested restore completes) and restore_expiry (until when the
 * restored copy stays readable), all judged against the backend's clock, which tests move.
 *
 * A restore takes the tier's configured delay (0 by default: readable at once). Asking again while a restored
 * copy is readable extends its expiry (200); while the restore is still in progress it answers 409
 * RestoreAlreadyInProgress, as S3 does.
 */
import { ARCHIVE_STORAGE_CLASSES, type RestoreTier, restoreDays, restoreTier } from "../archive.js";
import { invalidObjectState, StorageError } from "../errors.js";
import type { RestoreRequest, RestoreState } from "../types.js";
import { storageClassFromRow } from "./attributes.js";
import type { ParsedKey } from "./keys.js";
import type { ObjectRow } from "./metadata-db.js";

const DAY_MS = 24 * 60 * 60 * 1000;
/** A hundred years: far beyond any real restore, well inside what a date can hold. */
export const MAX_RESTORE_DAYS = 36_500;

export type RestoreRow = Pick<ObjectRow, "storage_class" | "restore_tier" | "restore_ready_at" | "restore_expiry">;

/** What head() shows of a restore, and whether the object can be read now. */
export interface RestoreView {
  readonly state?: RestoreState;
  readonly readable: boolean;
}

/** The restore of an object in `storageClass` as of `now` (epoch ms); not archived means nothing to show. */
export function restoreView(row: RestoreRow | undefined, storageClass: string, now: number): RestoreView {
  if (!ARCHIVE_STORAGE_CLASSES.has(storageClass)) return { readable: false };
  if (row?.restore_ready_at == null || row.restore_expiry == null) return { readable: false };
  if (now >= row.restore_expiry) return { readable: false };
  const tier = row.restore_tier ?? undefined;
  if (now < row.restore_ready_at) return { state: { ongoing: true, ...(tier ? { tier } : {}) }, readable: false };
  return {
    state: { ongoing: false, expiryDate: new Date(row.restore_expiry), ...(tier ? { tier } : {}) },
    readable: true,
  };
}

/** 403 InvalidObjectState unless the object can be read: archived objects only while a restored copy is readable. */
export function checkReadable(k: ParsedKey, row: RestoreRow | undefined, now: number): void {
  const storageClass = storageClassFromRow(row);
  if (!ARCHIVE_STORAGE_CLASSES.has(storageClass)) return;
  const { state, readable } = restoreView(row, storageClass, now);
  if (readable) return;
  const why = state?.ongoing ? "its restore is still in progress" : "it must be restored first";
  throw invalidObjectState(k.bucket, k.key, `the object is in the archive storage class ${storageClass}; ${why}`);
}

/** The restore columns a RestoreObject request leads to, and the status it answers. */
export interface PlannedRestore {
  readonly tier: string;
  readonly readyAt: number;
  readonly expiry: number;
  readonly httpStatus: 200 | 202;
}

/**
 * What `request` does to the object's restore as of `now`: starts one (202, ready after the tier's delay) or
 * extends a readable restored copy (200). 400 InvalidArgument for bad days or tier, 403 InvalidObjectState for
 * an object that is not archived, 409 RestoreAlreadyInProgress while a restore is under way.
 */
export function planRestore(
  k: ParsedKey,
  row: RestoreRow | undefined,
  request: RestoreRequest,
  now: number,
  delayMs: Readonly<Record<RestoreTier, number>>,
): PlannedRestore {
  const days = restoreDays(request, MAX_RESTORE_DAYS);
  const tier = restoreTier(request);
  const storageClass = storageClassFromRow(row);
  if (!ARCHIVE_STORAGE_CLASSES.has(storageClass)) {
    throw invalidObjectState(k.bucket, k.key, `restore is only for archived objects, this one is ${storageClass}`);
  }
  if (row?.restore_ready_at != null && row.restore_expiry != null && now < row.restore_expiry) {
    if (now < row.restore_ready_at) {
      throw new StorageError(
        "RestoreAlreadyInProgress",
        409,
        `Object restore is already in progress: ${k.bucket}/${k.key}`,
      );
    }
    return {
      tier: row.restore_tier ?? tier,
      readyAt: row.restore_ready_at,
      expiry: now + days * DAY_MS,
      httpStatus: 200,
    };
  }
  const readyAt = now + Math.max(0, delayMs[tier]);
  return { tier, readyAt, expiry: readyAt + days * DAY_MS, httpStatus: 202 };
}
