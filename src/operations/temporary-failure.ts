/**
 * A function's TemporaryFailure answer, as an error the runner retries with its backoff. It is a retryable
 * StorageError so the runner's retry policy and its last-attempt handling (a failed row with the error's
 * status, code and message) apply unchanged: after the last attempt the row reads
 * `failed,200,TemporaryFailure,<the function's last resultString>`.
 */
import { StorageError } from "../storage/errors.js";

export class TemporaryFunctionFailure extends StorageError {
  constructor(resultString: string) {
    super("TemporaryFailure", 200, resultString, true);
    this.name = "TemporaryFunctionFailure";
  }
}
