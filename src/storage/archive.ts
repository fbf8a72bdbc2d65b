/**
 * Archive storage classes and restores, as every backend reads them: which storage classes hold objects that
 * must be restored before they can be read, and what a RestoreObject request may ask for (the tier and how many
 * days the restored copy stays readable).
 */
import { invalidArgument } from "./errors.js";
import type { RestoreRequest } from "./types.js";

/** Canonical archive storage classes: objects in them must be restored before they can be read. */
export const ARCHIVE_STORAGE_CLASSES: ReadonlySet<string> = new Set([
  "GLACIER",
  "DEEP_ARCHIVE",
  "ARCHIVE",
  "COLD_ARCHIVE",
  "ColdArchive",
  "Archive",
  "DeepColdArchive",
]);

export type RestoreTier = "Expedited" | "Standard" | "Bulk";

const TIERS: Readonly<Record<string, RestoreTier>> = { expedited: "Expedited", standard: "Standard", bulk: "Bulk" };

/** The request's tier in S3's spelling, whatever its letter case (default Standard); 400 InvalidArgument if unknown. */
export function restoreTier(request: RestoreRequest): RestoreTier {
  const tier = TIERS[(request.tier ?? "Standard").toLowerCase()];
  if (tier === undefined) {
    throw invalidArgument(`Unknown restore tier ${JSON.stringify(request.tier)} (Expedited, Standard or Bulk)`);
  }
  return tier;
}

/** The request's days (default 1): an integer from 1 to `maxDays`, else 400 InvalidArgument. */
export function restoreDays(request: RestoreRequest, maxDays?: number): number {
  const days = request.days ?? 1;
  if (!Number.isInteger(days) || days < 1 || (maxDays !== undefined && days > maxDays)) {
    throw invalidArgument(
      maxDays === undefined
        ? `Restore days must be a positive integer, got ${days}`
        : `Restore days must be an integer from 1 to ${maxDays}, got ${days}`,
    );
  }
  return days;
}
