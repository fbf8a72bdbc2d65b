/**
 * Bearer access tokens (D44): POST /tokens' body, a token as issued (with its secret, the only time it is shown),
 * a token as listed (without), and a page of them.
 */
import { type Static, Type } from "typebox";

const closed = { additionalProperties: false } as const;
const Instant = Type.String({ format: "date-time" });
const Cursor = Type.Union([Type.String(), Type.Null()], {
  description: "Pass it as `cursor` for the next page; null on the last.",
});

export const TokenNameSchema = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: "^[^\\u0000-\\u001f\\u007f]+$",
  description: "A name to tell the token by (where it is used: `ci`, `laptop`); no control characters.",
});

export const CreateTokenRequestSchema = Type.Object(
  {
    name: Type.Optional(TokenNameSchema),
    expiresInSeconds: Type.Optional(
      Type.Integer({
        minimum: 60,
        maximum: 365 * 24 * 3600,
        description:
          "How long the token lives, in seconds: default 3600 (config tokens.defaultExpiresInSeconds), at most " +
          "config tokens.maxExpiresInSeconds (default 30 days).",
      }),
    ),
  },
  { ...closed, title: "CreateTokenRequest" },
);
export type CreateTokenRequestJson = Static<typeof CreateTokenRequestSchema>;

const TokenId = Type.String({ description: "The token's public id: it names the token, and proves nothing." });
const Name = Type.Union([Type.String(), Type.Null()]);

export const IssuedTokenSchema = Type.Object(
  {
    tokenId: TokenId,
    token: Type.String({
      description:
        "The secret, shown only here: send it as `Authorization: Bearer <token>` to the Google batch operations " +
        "dialect (/v1/projects/{project}/...), e.g. from a file given to gcloud's --access-token-file.",
    }),
    name: Name,
    createdAt: Instant,
    expiresAt: Instant,
  },
  { ...closed, title: "IssuedToken" },
);
export type IssuedTokenJson = Static<typeof IssuedTokenSchema>;

export const TokenSchema = Type.Object(
  {
    tokenId: TokenId,
    name: Name,
    status: Type.Enum(["active", "expired", "revoked"], { description: "Whether the token is accepted now." }),
    createdAt: Instant,
    expiresAt: Instant,
    revokedAt: Type.Union([Instant, Type.Null()]),
    lastUsedAt: Type.Union([Instant, Type.Null()], {
      description: "When it last authenticated a request, to the minute; null if never.",
    }),
  },
  { ...closed, title: "Token" },
);
export type TokenJson = Static<typeof TokenSchema>;

export const TokenPageSchema = Type.Object(
  { tokens: Type.Array(TokenSchema), nextCursor: Cursor },
  {
    ...closed,
    title: "TokenPage",
  },
);

export const MAX_TOKEN_PAGE = 1000;

export const TokenPageQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TOKEN_PAGE, description: "Default 100." })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  closed,
);

export const TokenIdParamSchema = Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" });
