/**
 * The operator's choices about which signatures objbatch accepts, with their defaults:
 *
 *   cosMaxKeyTimeSeconds  the longest q-key-time (and q-sign-time) window a COS signature may span. The official
 *                         SDKs sign for 900 s (cos-nodejs-sdk-v5), 1 h (Go, Java) or 10,060 s (Python, its
 *                         default `expire=10000` plus 60 s back); one day passes all of them, and presigned URLs
 *                         of up to a day, and refuses a signature made to be replayed for years.
 *   ossSignatureV1        "allow" (default; ali-oss signs V1 unless told otherwise) or "refuse": V1 signs only
 *                         the sub-resource of a job request, so a server that wants every parameter signed
 *                         accepts only V4 (OSS4-HMAC-SHA256).
 */
import { Type } from "typebox";
import { DEFAULT_COS_MAX_KEY_TIME_SECONDS } from "./cos-signature.js";

export interface SignaturePolicy {
  readonly cosMaxKeyTimeSeconds: number;
  readonly ossSignatureV1: "allow" | "refuse";
}

export const DEFAULT_SIGNATURE_POLICY: SignaturePolicy = {
  cosMaxKeyTimeSeconds: DEFAULT_COS_MAX_KEY_TIME_SECONDS,
  ossSignatureV1: "allow",
};

/** The config file's `auth` section (config/schema.ts): either field may be left out for its default. */
export const SIGNATURE_POLICY_SCHEMA = Type.Object(
  {
    cosMaxKeyTimeSeconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 31_536_000,
        description:
          "The longest q-key-time / q-sign-time window (seconds) a COS signature may span (default 86400, one day).",
      }),
    ),
    ossSignatureV1: Type.Optional(
      Type.Enum(["allow", "refuse"], {
        description: 'OSS V1 signatures: "allow" (default) or "refuse" to accept only V4 (OSS4-HMAC-SHA256).',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: "Which request signatures objbatch accepts (api/auth/signature-policy.ts).",
  },
);

/** The policy with defaults filled in for what `partial` leaves out. Throws on a window that is not positive. */
export function signaturePolicyOf(partial: Partial<SignaturePolicy> = {}): SignaturePolicy {
  const cosMaxKeyTimeSeconds = partial.cosMaxKeyTimeSeconds ?? DEFAULT_SIGNATURE_POLICY.cosMaxKeyTimeSeconds;
  if (!Number.isSafeInteger(cosMaxKeyTimeSeconds) || cosMaxKeyTimeSeconds < 1) {
    throw new RangeError(
      `cosMaxKeyTimeSeconds must be a positive whole number of seconds, not ${cosMaxKeyTimeSeconds}`,
    );
  }
  return { cosMaxKeyTimeSeconds, ossSignatureV1: partial.ossSignatureV1 ?? DEFAULT_SIGNATURE_POLICY.ossSignatureV1 };
}
