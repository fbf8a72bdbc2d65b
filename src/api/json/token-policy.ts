/**
 * The `tokens` section of the config (D44): how long a bearer access token lives when its request does not say,
 * the longest it may live, and how many live tokens an account may hold at once. Described once here, checked by
 * config/schema.ts with the rest of the file; POST /api/v1/tokens holds requests to it (token-routes.ts).
 */
import { type Static, Type } from "typebox";

const DAY = 24 * 3600;

export const TOKEN_POLICY_SCHEMA = Type.Object(
  {
    defaultExpiresInSeconds: Type.Optional(
      Type.Integer({
        minimum: 60,
        maximum: 365 * DAY,
        description: "How long a token lives when its request does not say, in seconds (default 3600, 1 h).",
      }),
    ),
    maxExpiresInSeconds: Type.Optional(
      Type.Integer({
        minimum: 60,
        maximum: 365 * DAY,
        description: "The longest a token may live, in seconds (default 2592000, 30 days).",
      }),
    ),
    maxLivePerAccount: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 100_000,
        description: "Tokens an account may hold that have neither expired nor been revoked (default 100).",
      }),
    ),
  },
  {
    additionalProperties: false,
    description: "Bearer access tokens for the Google batch operations dialect (D44).",
  },
);

export type TokenPolicy = Required<Static<typeof TOKEN_POLICY_SCHEMA>>;

export const DEFAULT_TOKEN_POLICY: TokenPolicy = {
  defaultExpiresInSeconds: 3600,
  maxExpiresInSeconds: 30 * DAY,
  maxLivePerAccount: 100,
};

/** The policy with defaults for what `partial` leaves out; the default lifetime never above the longest. */
export function tokenPolicyOf(partial: Partial<TokenPolicy> = {}): TokenPolicy {
  const policy = { ...DEFAULT_TOKEN_POLICY, ...partial };
  if (policy.defaultExpiresInSeconds > policy.maxExpiresInSeconds) {
    throw new Error(
      `tokens.defaultExpiresInSeconds (${policy.defaultExpiresInSeconds}) is above tokens.maxExpiresInSeconds ` +
        `(${policy.maxExpiresInSeconds})`,
    );
  }
  return policy;
}
