/**
 * A task is one object of a job's manifest; its result is one row of the completion report.
 */
export interface Task {
  readonly bucket: string;
  /** The decoded key (manifests carry it URL-encoded). */
  readonly key: string;
  /** `undefined` when the manifest has no VersionId column; "null" names the null version. */
  readonly versionId?: string;
}

export type TaskStatus = "succeeded" | "failed";

export interface TaskResult {
  readonly status: TaskStatus;
  /** The HTTP status S3 or COS would answer for the same request (200 on success). */
  readonly httpStatus: number;
  /** Empty on success; the S3 error code otherwise (NoSuchKey, AccessDenied, ...). */
  readonly errorCode: string;
  /** "Successful", an operation's result string, or the error message. */
  readonly message: string;
}

/** A manifest row that could not be turned into a task still yields a report row. */
export interface TaskRow {
  readonly task: Task;
  /** Set when the row itself is unusable (bad encoding, missing column): the task fails without running. */
  readonly invalid?: TaskResult;
}

/** The plain "Successful" results, one frozen object per status, shared by every task that ends with one. */
const SUCCESSFUL = new Map<number, TaskResult>();

export const succeeded = (message = "Successful", httpStatus = 200): TaskResult => {
  if (message !== "Successful") return { status: "succeeded", httpStatus, errorCode: "", message };
  let result = SUCCESSFUL.get(httpStatus);
  if (result === undefined) {
    result = Object.freeze({ status: "succeeded", httpStatus, errorCode: "", message });
    SUCCESSFUL.set(httpStatus, result);
  }
  return result;
};

export const failed = (httpStatus: number, errorCode: string, message: string): TaskResult => ({
  status: "failed",
  httpStatus,
  errorCode,
  message,
});
