/**
 * The constraints of the S3 Control model that objbatch enforces on values it echoes back
 * (src/api/dialects/s3control/model-patterns.ts), applied the way the codec applies them, through the XML reader:
 * IAMRoleArn (1-2048, arn:<partition>:iam::<12 digits>:role/<anything>) and FunctionArnString (1-1024, a Lambda
 * function name or ARN with an optional version or alias), both matched whole and free of control characters.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FUNCTION_ARN, ROLE_ARN } from "../../../../src/api/dialects/s3control/model-patterns.js";
import { escapeXmlText } from "../../../../src/api/xml/build.js";
import { parseXmlDocument } from "../../../../src/api/xml/parse.js";
import { readDocument, type StringRule } from "../../../../src/api/xml/read.js";
import { assertDomainError } from "../../../helpers/assert-domain-error.js";

/** Reads `<R><V>value</V></R>` with the rule, as the codec reads RoleArn and FunctionArn. */
const readWith = (rule: StringRule, value: string) =>
  readDocument(parseXmlDocument(`<R><V>${escapeXmlText(value)}</V></R>`), "R", (r) => r.requiredString("V", rule));

describe("ROLE_ARN", () => {
  it("accepts IAM role ARNs in any partition, with paths and any role name", () => {
    for (const arn of [
      "arn:aws:iam::123456789012:role/batch",
      "arn:aws-cn:iam::123456789012:role/path/to/batch",
      "arn:aws-us-gov:iam::123456789012:role/service-role/S3BatchOperations+=,.@-_",
      // The name is opaque text S3 takes as it is (`role/.*`); it is only ever echoed back, XML-escaped.
      "arn:aws:iam::123456789012:role/../../etc/passwd",
      "arn:aws:iam::123456789012:role/",
      `arn:aws:iam::123456789012:role/${"r".repeat(2048 - 31)}`,
    ]) {
      assert.equal(readWith(ROLE_ARN, arn), arn, arn);
    }
  });

  it("refuses what is not an IAM role ARN, whole, with a hint", () => {
    for (const arn of [
      "*****",
      "batch",
      "arn:aws:iam::12345:role/short-account",
      "arn:aws:iam::1234567890123:role/long-account",
      "arn:aws:iam:us-east-1:123456789012:role/regional",
      "arn:aws:iam::123456789012:user/batch",
      "arn:aws:s3:::not-a-role",
      "arn::iam::123456789012:role/no-partition",
      "qcs::cam::uin/100000000001:roleName/COS_Batch_QcsRole",
    ]) {
      assertDomainError(
        () => readWith(ROLE_ARN, arn),
        "InvalidArgument",
        /^R\/V must be an IAM role ARN, arn:<partition>:iam::<12-digit account>:role\/<name>: "/,
      );
    }
  });

  it("refuses control characters anywhere, and lengths outside 1-2048", () => {
    // (XML itself cannot carry U+0000-U+0008; tab, line feed and DEL it can.)
    for (const arn of [
      "arn:aws:iam::123456789012:role/a\tb",
      "arn:aws:iam::123456789012:role/a\nb",
      "arn:aws:iam::123456789012:role/a\u007f",
      "arn:aws\u007f:iam::123456789012:role/a",
    ]) {
      assertDomainError(() => readWith(ROLE_ARN, arn), "InvalidArgument", /must be an IAM role ARN/);
    }
    assertDomainError(() => readWith(ROLE_ARN, ""), "InvalidArgument", "R/V must not be empty.");
    assertDomainError(
      () => readWith(ROLE_ARN, `arn:aws:iam::123456789012:role/${"r".repeat(2048 - 30)}`),
      "InvalidArgument",
      "R/V must be at most 2048 bytes long.",
    );
  });
});

describe("FUNCTION_ARN", () => {
  it("accepts function names, partial and full ARNs, versions and aliases", () => {
    for (const arn of [
      "thumbnail",
      "thumbnail:$LATEST",
      "thumbnail:prod",
      "thumbnail:7",
      "123456789012:function:thumbnail",
      "us-east-1:123456789012:function:thumbnail",
      "arn:aws:lambda:us-east-1:123456789012:function:thumbnail",
      "arn:aws:lambda:us-east-1:123456789012:function:thumbnail:$LATEST",
      "arn:aws:lambda:us-gov-west-1:123456789012:function:thumbnail:prod",
      "arn:aws-cn:lambda:cn-north-1:123456789012:function:my_function-2",
      "function:thumbnail",
      "f".repeat(1024),
    ]) {
      assert.equal(readWith(FUNCTION_ARN, arn), arn, arn);
    }
  });

  it("refuses URLs, paths, wildcards and anything the whole pattern does not match, with a hint", () => {
    for (const arn of [
      "https://evil.example/fn",
      "../../etc/passwd",
      "*",
      "thumbnail:",
      "thumbnail:prod:extra",
      "arn:aws:lambda:us-east-1:123456789012:function:",
      "arn:aws:lambda:us-east-1:123456789012:function:a b",
      "arn:aws:s3:::bucket",
      "thumb\tnail",
      "thumb\u007fnail",
    ]) {
      assertDomainError(
        () => readWith(FUNCTION_ARN, arn),
        "InvalidArgument",
        /^R\/V must be a Lambda function name or ARN, arn:<partition>:lambda:<region>:<account>:function:<name>\[:<version or alias>\]: "/,
      );
    }
  });

  it("refuses lengths outside 1-1024", () => {
    assertDomainError(() => readWith(FUNCTION_ARN, ""), "InvalidArgument", "R/V must not be empty.");
    assertDomainError(
      () => readWith(FUNCTION_ARN, "f".repeat(1025)),
      "InvalidArgument",
      "R/V must be at most 1024 bytes long.",
    );
  });
});
