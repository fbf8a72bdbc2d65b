/**
 * Constraints the S3 Control model (botocore s3control 2018-08-20) puts on values objbatch would otherwise take
 * as they come and echo back: S3 refuses values outside them with BadRequestException, and so does objbatch.
 * The model's patterns are written here anchored at both ends (S3 matches the whole value), with control
 * characters excluded.
 *
 *   IAMRoleArn         1-2048  arn:[^:]+:iam::\d{12}:role/.*
 *   FunctionArnString  1-1024  (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1}:)?
 *                              (\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?
 */
import type { StringRule } from "../../xml/read.js";

export const ROLE_ARN: StringRule = {
  min: 1,
  max: 2048,
  // biome-ignore lint/suspicious/noControlCharactersInRegex: excluding control characters is the point
  pattern: /^arn:[^:\u0000-\u001F\u007F]+:iam::\d{12}:role\/[^\u0000-\u001F\u007F]*$/,
  patternHint: "must be an IAM role ARN, arn:<partition>:iam::<12-digit account>:role/<name>",
};

export const FUNCTION_ARN: StringRule = {
  min: 1,
  max: 1024,
  pattern:
    /^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d:)?(\d{12}:)?(function:)?([a-zA-Z0-9_-]+)(:(\$LATEST|[a-zA-Z0-9_-]+))?$/,
  patternHint:
    "must be a Lambda function name or ARN, arn:<partition>:lambda:<region>:<account>:function:<name>[:<version or alias>]",
};
