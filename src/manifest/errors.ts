/**
 * A manifest that cannot be prepared at all (as opposed to one bad row, which becomes a failed task). The
 * preparer turns it into a FailureReasons entry `{ code, reason: message }` and fails the job in Preparing.
 */
export type ManifestErrorCode =
  /** A record is longer than the scanner's limit: usually an unclosed quote swallowing the rest of the file. */
  "ManifestRecordTooLarge";

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
