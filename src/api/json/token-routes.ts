/**
 * Bearer access tokens of the calling account (D44), for the Google batch operations dialect:
 *
 *   POST   /tokens            issue one (201): its secret is in this answer and never again
 *   GET    /tokens            the account's tokens, oldest first, with a cursor: never a secret
 *   DELETE /tokens/{tokenId}  revoke one (204; again is no error), refused by every server at once
 *
 * Authenticated as every JSON API route is, by a SigV4 signature or a console session with its CSRF token; a
 * bearer token itself is refused here (bearer-refusal.ts), so a token cannot mint more tokens or outlive its own
 * expiry through them. A token's lifetime and the live tokens an account may hold are the operator's (config
 * `tokens`, token-policy.ts). Another account's token answers exactly like a missing one (404 no-such-token).
 */
import type { AccessTokenInfo } from "../../accounts/access-tokens.js";
import type { AccessTokenCursor, StoreAccessTokens } from "../../store/tokens/store-access-tokens.js";
import { ProblemError, validationProblem } from "./problems.js";
import { queryObject } from "./query-object.js";
import type { JsonRoute } from "./route.js";
import {
  type CreateTokenRequestJson,
  CreateTokenRequestSchema,
  IssuedTokenSchema,
  TokenIdParamSchema,
  type TokenJson,
  TokenPageQuerySchema,
  TokenPageSchema,
} from "./schemas/tokens.js";
import { DEFAULT_TOKEN_POLICY, type TokenPolicy } from "./token-policy.js";
import { checked } from "./validation.js";

/** What the routes need of the token store. */
export type AccessTokensApi = Pick<StoreAccessTokens, "issue" | "list" | "revoke" | "countLive">;

export const DEFAULT_TOKEN_PAGE = 100;

const NOT_FOUND = { 404: "No such token (another account's token answers the same), or no such route." };

export function tokenRoutes(
  tokens: AccessTokensApi | undefined,
  policy: TokenPolicy = DEFAULT_TOKEN_POLICY,
  now: () => Date = () => new Date(),
): JsonRoute[] {
  const notServed = new ProblemError(
    501,
    "not-implemented",
    "Not implemented",
    "This server issues no access tokens (it was started without them).",
  );
  // Every route is declared (and documented) either way; without the store each answers 501.
  const store = (): AccessTokensApi => {
    if (!tokens) throw notServed;
    return tokens;
  };
  return [
    {
      method: "POST",
      path: "/tokens",
      operationId: "createToken",
      summary: "Issue a bearer access token for the Google batch operations dialect",
      description:
        "The answer holds the token's secret, shown this once: objbatch keeps only its SHA-256. Send it as " +
        "`Authorization: Bearer <token>` to /v1/projects/{project}/... (gcloud's --access-token-file), where " +
        "{project} is this account. It works until it expires or is revoked; it is refused by this JSON API and " +
        "by the COS, OSS and S3 Control APIs, which take their own signatures.",
      authenticated: true,
      body: CreateTokenRequestSchema,
      bodyRequired: false,
      responses: { 201: { description: "The new token, with its secret.", schema: IssuedTokenSchema } },
      problems: [429],
      problemNotes: { 429: "The account holds as many live tokens as it may (config tokens.maxLivePerAccount)." },
      handler: async ({ account, body }) => {
        const request = (body ?? {}) as CreateTokenRequestJson;
        const seconds = request.expiresInSeconds ?? policy.defaultExpiresInSeconds;
        if (seconds > policy.maxExpiresInSeconds) {
          throw validationProblem("The token request is not valid: 1 problem(s).", [
            {
              pointer: "/expiresInSeconds",
              detail: `at most ${policy.maxExpiresInSeconds} (config tokens.maxExpiresInSeconds)`,
            },
          ]);
        }
        const at = now();
        if ((await store().countLive(account.id, at)) >= policy.maxLivePerAccount) {
          throw new ProblemError(
            429,
            "too-many-tokens",
            "Too many access tokens",
            `The account holds ${policy.maxLivePerAccount} live access tokens, as many as it may; revoke one ` +
              "(DELETE /api/v1/tokens/{tokenId}) or let one expire.",
          );
        }
        const issued = await store().issue({
          accountId: account.id,
          ...(request.name === undefined ? {} : { name: request.name }),
          ttlMs: seconds * 1000,
          now: at,
        });
        return {
          status: 201,
          body: {
            tokenId: issued.info.tokenId,
            token: issued.token,
            name: issued.info.name ?? null,
            createdAt: issued.info.createdAt.toISOString(),
            expiresAt: issued.info.expiresAt.toISOString(),
          },
          headers: { "cache-control": "no-store" },
        };
      },
    },
    {
      method: "GET",
      path: "/tokens",
      operationId: "listTokens",
      summary: "List the account's access tokens, oldest first (expired and revoked ones until they are purged)",
      description: "No secret is ever listed. Tokens are purged a week after they expire.",
      authenticated: true,
      query: TokenPageQuerySchema,
      responses: { 200: { description: "A page of tokens.", schema: TokenPageSchema } },
      handler: async ({ account, query }) => {
        const parsed = checked(TokenPageQuerySchema, queryObject(query, ["limit"]), "query");
        const limit = parsed.limit ?? DEFAULT_TOKEN_PAGE;
        const after = parsed.cursor === undefined ? undefined : decodeTokenCursor(parsed.cursor);
        const rows = await store().list(account.id, limit + 1, after);
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        const at = now();
        return {
          status: 200,
          body: {
            tokens: page.map((t) => tokenView(t, at)),
            nextCursor:
              rows.length > limit && last
                ? encodeTokenCursor({ createdAt: last.createdAt.getTime(), tokenId: last.tokenId })
                : null,
          },
        };
      },
    },
    {
      method: "DELETE",
      path: "/tokens/:tokenId",
      operationId: "revokeToken",
      summary: "Revoke an access token: every server refuses it from now on (revoking it again is no error)",
      authenticated: true,
      params: { tokenId: TokenIdParamSchema },
      responses: { 204: { description: "The token is revoked." } },
      problemNotes: NOT_FOUND,
      handler: async ({ account, params }) => {
        const tokenId = params.tokenId ?? "";
        if (!/^[A-Za-z0-9_-]{1,64}$/.test(tokenId) || !(await store().revoke(account.id, tokenId, now()))) {
          throw new ProblemError(404, "no-such-token", "No such token", `There is no token ${tokenId.slice(0, 64)}.`);
        }
        return { status: 204 };
      },
    },
  ];
}

export function tokenView(t: AccessTokenInfo, now: Date): TokenJson {
  return {
    tokenId: t.tokenId,
    name: t.name ?? null,
    status: t.revokedAt !== undefined ? "revoked" : t.expiresAt <= now ? "expired" : "active",
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt.toISOString(),
    revokedAt: t.revokedAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  };
}

function encodeTokenCursor(c: AccessTokenCursor): string {
  return Buffer.from(`${c.createdAt}.${c.tokenId}`).toString("base64url");
}

function decodeTokenCursor(cursor: string): AccessTokenCursor {
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{1,64})$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!m) {
    throw validationProblem("The cursor is not valid.", [{ pointer: "?cursor", detail: "not a cursor this API gave" }]);
  }
  return { createdAt: Number(m[1]), tokenId: m[2] as string };
}
