/**
 * The listing's cursor: where the previous page stopped (a job's creation time and id), as an opaque base64url
 * string. It only says where to start: the listing is always of the signing account's jobs, so a cursor made up
 * or taken from another account shows nothing it should not.
 */
import type { JobPosition } from "../../service/types.js";
import { validationProblem } from "./problems.js";

export function encodeCursor(position: JobPosition): string {
  return Buffer.from(JSON.stringify([position.creationTime, position.jobId]), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): JobPosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    decoded = undefined;
  }
  if (
    !Array.isArray(decoded) ||
    decoded.length !== 2 ||
    !Number.isSafeInteger(decoded[0]) ||
    typeof decoded[1] !== "string" ||
    decoded[1].length > 64
  ) {
    throw validationProblem("The cursor is not one this API handed out.", [
      { pointer: "?cursor", detail: "not a cursor from a previous page" },
    ]);
  }
  return { creationTime: decoded[0], jobId: decoded[1] };
}
