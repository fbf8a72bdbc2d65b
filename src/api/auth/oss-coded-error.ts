/**
 * OSS's detailed error codes (EC) and the DomainError that carries one. It sits beside the OSS signature
 * verifiers, which throw most of them, so that auth/ needs nothing from dialects/: the OSS dialect's error model
 * (dialects/oss/errors.ts) re-exports both and renders the EC into its `<Error>` body.
 */
import { DomainError, type DomainErrorKind } from "../../domain/errors.js";

/** EC codes from the OSS documents (help.aliyun.com / alibabacloud.com "support/<EC>" pages). */
export const OSS_EC = {
  invalidJobId: "0017-00001002",
  invalidRoleArn: "0017-00001009",
  signatureDoesNotMatch: "0002-00000040",
  requestTimeTooSkewed: "0002-00000504",
  invalidRequestTime: "0002-00000505",
  invalidAccessKeyIdFieldV1: "0002-00000064",
  invalidAccessKeyIdFieldV4: "0002-00000206",
} as const;

/** A DomainError with the OSS EC code that names its exact cause. */
export class OssCodedError extends DomainError {
  constructor(
    kind: DomainErrorKind,
    message: string,
    readonly ec: string,
  ) {
    super(kind, message);
  }
}
