/**
 * Object Lock in the local backend, with S3's semantics:
 *
 * - A legal hold is ON or OFF; anyone allowed to call PutObjectLegalHold may switch it either way.
 * - A retention has a mode and a retain-until date in the future (400 InvalidArgument otherwise, as S3).
 *   COMPLIANCE cannot be shortened, weakened to GOVERNANCE or removed by anyone before it ends (403 AccessDenied);
 *   it can be extended. GOVERNANCE can be extended or made COMPLIANCE freely; shortening or removing it needs
 *   bypassGovernanceRetention. Once the date has passed the retention protects nothing and may be replaced or
 *   removed like none.
 * - Google's event-based hold (D45) is kept beside the legal hold (Google's temporary hold is the legal hold) and
 *   protects the object exactly as it does.
 * - While a legal hold or an event-based hold is ON or a retention has not ended, the object cannot be deleted or overwritten (403
 *   AccessDenied). Tags, ACLs and restores stay changeable, as in S3.
 *
 * What the local backend can and cannot honour: S3 locks object *versions* in versioned buckets, where a delete
 * without a version id only adds a delete marker and an overwrite adds a new version, so both succeed and the
 * locked version survives. The local backend is unversioned: its one ("null") version is the file itself, and
 * deleting or overwriting it would destroy the locked data. So every delete, put and copy onto a locked key is
 * refused (including an in-place copy that only changes metadata). S3 also requires Object Lock to be enabled on
 * the bucket; the local backend has no bucket configuration and accepts locks in every bucket. Its storage
 * interface has no bypass flag on delete, so a GOVERNANCE-retained object cannot be deleted before its date
 * here; remove its retention first with bypassGovernanceRetention. Files changed by hand in the data directory
 * are beyond any lock.
 */
import { accessDenied, invalidArgument, StorageError } from "../errors.js";
import type { ObjectLockState, RetentionSetting } from "../types.js";
import type { LockColumn, ObjectRow } from "./metadata-db.js";

export type LockColumns = Pick<ObjectRow, LockColumn>;

export type RetentionMode = "COMPLIANCE" | "GOVERNANCE";

const MODES: ReadonlySet<string> = new Set(["COMPLIANCE", "GOVERNANCE"]);

/** Why the object cannot be deleted or overwritten now, or undefined when nothing protects it. */
export function lockReason(lock: LockColumns | undefined, now: number): string | undefined {
  if (lock === undefined) return undefined;
  if (lock.legal_hold === "ON") return "the object is under an Object Lock legal hold";
  if (lock.event_based_hold === "ON") return "the object is under an event-based hold";
  if (lock.retention_mode !== null && lock.retention_until !== null && lock.retention_until > now) {
    return `the object is under ${lock.retention_mode} Object Lock retention until ${new Date(lock.retention_until).toISOString()}`;
  }
  return undefined;
}

/** The Object Lock state head() shows: nothing when no legal hold is ON and no retention is set. */
export function lockView(row: LockColumns | undefined): { objectLock?: ObjectLockState } {
  if (row === undefined || (row.legal_hold === null && row.retention_mode === null && row.event_based_hold === null)) {
    return {};
  }
  const lock: { -readonly [K in keyof ObjectLockState]: ObjectLockState[K] } = {
    legalHold: row.legal_hold === "ON" ? "ON" : "OFF",
  };
  if (row.event_based_hold === "ON") lock.eventBasedHold = true;
  if (row.retention_mode !== null && row.retention_until !== null) {
    lock.mode = row.retention_mode as RetentionMode;
    lock.retainUntilDate = new Date(row.retention_until);
  }
  return { objectLock: lock };
}

/** Throws 403 AccessDenied when the object may not be deleted or overwritten now. */
export function checkNotLocked(
  bucket: string,
  key: string,
  lock: LockColumns | undefined,
  now: number,
  action: string,
): void {
  const why = lockReason(lock, now);
  if (why !== undefined) throw accessDenied(bucket, key, `cannot ${action}: ${why}`);
}

/** The legal hold column for a PutObjectLegalHold status (400 InvalidArgument for anything but ON/OFF). */
export function legalHoldColumn(status: string): "ON" | null {
  if (status === "ON") return "ON";
  if (status === "OFF") return null;
  throw invalidArgument(`The legal hold status must be ON or OFF, got ${JSON.stringify(status)}`);
}

/**
 * The retention columns after applying `setting` to an object whose lock is `current`, or an error as S3
 * answers it: 400 InvalidArgument for a malformed request, 403 AccessDenied for a change the current
 * retention forbids.
 */
export function nextRetention(
  bucket: string,
  key: string,
  current: LockColumns | undefined,
  setting: RetentionSetting,
  now: number,
): { mode: RetentionMode | null; until: number | null } {
  const requested = requestedRetention(setting, now);
  const mode = current?.retention_mode ?? null;
  const until = current?.retention_until ?? null;
  const active = mode !== null && until !== null && until > now;
  if (!active) return requested;

  const bypass = setting.bypassGovernanceRetention === true;
  if (requested.mode === null) {
    if (mode === "GOVERNANCE" && bypass) return requested;
    throw accessDenied(
      bucket,
      key,
      `cannot remove ${mode} retention before ${new Date(until).toISOString()}${mode === "GOVERNANCE" ? " without bypassGovernanceRetention" : ""}`,
    );
  }
  const shorter = requested.until! < until;
  if (mode === "COMPLIANCE") {
    if (requested.mode !== "COMPLIANCE") {
      throw accessDenied(bucket, key, "cannot change COMPLIANCE retention to GOVERNANCE before it ends");
    }
    if (shorter) {
      throw accessDenied(
        bucket,
        key,
        `cannot shorten COMPLIANCE retention from ${new Date(until).toISOString()} to ${new Date(requested.until!).toISOString()}`,
      );
    }
    return requested;
  }
  if (shorter && !bypass) {
    throw accessDenied(
      bucket,
      key,
      `cannot shorten GOVERNANCE retention from ${new Date(until).toISOString()} to ${new Date(requested.until!).toISOString()} without bypassGovernanceRetention`,
    );
  }
  return requested;
}

function requestedRetention(
  setting: RetentionSetting,
  now: number,
): { mode: RetentionMode | null; until: number | null } {
  const { mode, retainUntilDate } = setting;
  if (mode === undefined && retainUntilDate === undefined) return { mode: null, until: null };
  if (mode === undefined || retainUntilDate === undefined) {
    throw invalidArgument("A retention needs both a mode and a retain-until date (omit both to remove the retention)");
  }
  if (!MODES.has(mode)) {
    throw invalidArgument(`The retention mode must be COMPLIANCE or GOVERNANCE, got ${JSON.stringify(mode)}`);
  }
  const until = retainUntilDate instanceof Date ? retainUntilDate.getTime() : Number.NaN;
  if (!Number.isFinite(until)) throw invalidArgument("The retain until date is not a valid date");
  // S3's own words for a date that is not in the future.
  if (until <= now) throw new StorageError("InvalidArgument", 400, "The retain until date must be in the future!");
  return { mode, until };
}
