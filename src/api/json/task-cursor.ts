/**
 * The cursor of a job's task results (GET /jobs/{id}/tasks, D35): where the previous page stopped (a results
 * file's number and the byte offset of the next row), opaque, and signed so it cannot be altered. The signature is
 * an HMAC over the position and what it is a position in (the job, the status, the error code filter), keyed by
 * a digest of the signing account's secret keys: a cursor made up, edited, taken from another job or filter, or
 * from another account is refused (400), so a page can only start where an earlier page of the same listing
 * ended, at the start of a row. Rotating an account's keys invalidates its cursors; listing again from the start
 * gives new ones.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Account } from "../../accounts/types.js";
import type { ReportPosition } from "../../service/job-report.js";
import { validationProblem } from "./problems.js";

/** What a cursor is a position in. */
export interface TaskListing {
  readonly jobId: string;
  readonly status: string;
  readonly errorCode?: string;
}

export function encodeTaskCursor(account: Account, listing: TaskListing, position: ReportPosition): string {
  const payload = Buffer.from(JSON.stringify([position.file, position.offset]), "utf8").toString("base64url");
  return `${payload}.${mac(account, listing, payload).toString("base64url")}`;
}

export function decodeTaskCursor(account: Account, listing: TaskListing, cursor: string): ReportPosition {
  const [payload, signature, ...rest] = cursor.split(".");
  if (payload !== undefined && signature !== undefined && rest.length === 0) {
    const expected = mac(account, listing, payload);
    const given = Buffer.from(signature, "base64url");
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      const decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as unknown;
      if (Array.isArray(decoded) && decoded.length === 2 && decoded.every((n) => Number.isSafeInteger(n) && n >= 0)) {
        return { file: decoded[0] as number, offset: decoded[1] as number };
      }
    }
  }
  throw validationProblem("The cursor is not one this listing handed out.", [
    { pointer: "?cursor", detail: "not a cursor from a previous page of this job's tasks with the same filters" },
  ]);
}

function mac(account: Account, listing: TaskListing, payload: string): Buffer {
  const key = createHash("sha256")
    .update("objbatch task cursor\0")
    .update(account.id)
    .update("\0")
    .update(account.keys.map((k) => k.secretAccessKey).join("\0"))
    .digest();
  return createHmac("sha256", key)
    .update(`${listing.jobId}\0${listing.status}\0${listing.errorCode ?? ""}\0${payload}`)
    .digest()
    .subarray(0, 16);
}
