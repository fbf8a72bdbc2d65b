/**
 * A job's FailureReasons element: one item per failure with FailureCode and FailureReason. The dialects name
 * the item differently (COS and OSS `JobFailure`, S3 Control `member`) and decide themselves whether to write
 * an empty list.
 */
import type { Job } from "../../../domain/job.js";
import { el, leaf, type XmlNode } from "../../xml/build.js";

export function renderFailureReasons(failures: Job["failureReasons"], itemName: "JobFailure" | "member"): XmlNode {
  return el(
    "FailureReasons",
    failures.map((f) => el(itemName, leaf("FailureCode", f.code), leaf("FailureReason", f.reason))),
  );
}
