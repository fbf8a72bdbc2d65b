/**
 * A manifest that cannot be prepared at all (as opposed to one bad row, which becomes a failed task). The
 * preparer turns it into a FailureReasons entry `{ code, reason: message }` and fails the job in Preparing.
 */
export type ManifestErrorCode =
  /** A record is longer than the scanner's limit: usually an unclosed quote swallowing the rest of the file. */
  | "ManifestRecordTooLarge"
  /** A manifest generator's settings cannot be used (a bad date, an unknown output format). */
  | "InvalidManifestGenerator"
  /** A manifest generator's listing matched no object (AWS fails such jobs the same way). */
  | "NoMatchingKeys"
  /** An inventory manifest.json that cannot be used: not JSON, not CSV, no Key column, no files list. */
  | "InvalidInventoryManifest"
  /** An inventory data file's MD5 differs from the one its manifest.json lists. */
  | "InventoryChecksumMismatch";

export class ManifestError extends Error {
  readonly code: ManifestErrorCode;

  constructor(code: ManifestErrorCode, message: string) {
    super(message);
    this.name = "ManifestError";
    this.code = code;
  }
}

export function isManifestError(e: unknown): e is ManifestError {
  return e instanceof ManifestError;
}
