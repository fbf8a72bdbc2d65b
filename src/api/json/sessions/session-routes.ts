/**
 * Console sessions (D33), for the web console and any browser client:
 *
 *   POST   /session    sign in with an access key and its secret: a session cookie and the session's CSRF token
 *   GET    /session    the session the cookie names: account, key, when it ends, its CSRF token again
 *   DELETE /session    sign out: the session is revoked in the store and the cookie cleared
 *   DELETE /sessions   revoke every session of the caller's account (signed or in a session)
 *
 * A wrong key and a wrong secret are the same 401, the secret compared in constant time; failures are throttled
 * per key and per address (sign-in-throttle.ts).
 */
import type { AccountRegistry } from "../../../accounts/types.js";
import { ProblemError } from "../problems.js";
import type { JsonRoute, RouteContext } from "../route.js";
import {
  RevokedSessionsSchema,
  type SessionJson,
  SessionSchema,
  type SignInRequest,
  SignInRequestSchema,
} from "../schemas/session.js";
import type { SessionCaller } from "./session-authentication.js";
import { clearedSessionCookie, sessionCookie } from "./session-cookie.js";
import type { SessionPolicy } from "./session-policy.js";
import type { ConsoleSessionStore, StoredSession } from "./session-store.js";
import { csrfTokenOf, newSessionToken, sameSecret, sessionTokenHash } from "./session-tokens.js";
import type { SignInThrottle } from "./sign-in-throttle.js";

export interface SessionRouteParts {
  readonly accounts: AccountRegistry;
  readonly sessions: ConsoleSessionStore;
  readonly policy: SessionPolicy;
  readonly throttle: SignInThrottle;
  /** ms since the epoch */
  readonly now: () => number;
}

/** Compared against when the key is unknown, so an unknown key costs what a wrong secret does. */
const NO_SECRET = "objbatch: no such access key";

const SESSION = {
  description: "The session.",
  schema: SessionSchema,
  headers: { "Cache-Control": "no-store: the answer holds the session's CSRF token." },
};
/** An answer that holds the CSRF token is kept by no cache. */
const NO_STORE = { "cache-control": "no-store" };

export function sessionRoutes(parts: SessionRouteParts): JsonRoute[] {
  const { accounts, sessions, policy, throttle, now } = parts;
  return [
    {
      method: "POST",
      path: "/session",
      operationId: "signIn",
      summary: "Sign in to a console session",
      description:
        "Opens a session with an access key and its secret: the answer sets the session cookie (HttpOnly, " +
        "SameSite=Strict, Path=/api/v1) and gives the CSRF token that requests of the session which change " +
        "something send in X-CSRF-Token.",
      authenticated: false,
      body: SignInRequestSchema,
      responses: {
        201: { ...SESSION, headers: { ...SESSION.headers, "Set-Cookie": "The session cookie, objbatch_session." } },
      },
      problems: [400, 401, 413, 415, 429, 500, 503],
      problemNotes: {
        401: "The access key id or the secret is wrong (the answer does not say which).",
        429: "Too many failed sign-ins for this access key or from this address: try again after Retry-After seconds.",
      },
      handler: async ({ request, body }) => {
        const { accessKeyId, secretAccessKey } = body as SignInRequest;
        const wait = throttle.retryAfterSeconds(accessKeyId, request.ip);
        if (wait !== undefined) {
          throw new ProblemError(
            429,
            "too-many-sign-in-failures",
            "Too many failed sign-ins",
            `Too many sign-ins failed for this access key or from this address; try again in ${wait} s.`,
            undefined,
            { "retry-after": String(wait) },
          );
        }
        const found = accounts.byAccessKeyId(accessKeyId);
        const matches = sameSecret(secretAccessKey, found?.key.secretAccessKey ?? NO_SECRET);
        if (found === undefined || !matches) {
          throttle.failed(accessKeyId, request.ip);
          throw new ProblemError(
            401,
            "sign-in-failed",
            "The access key id or secret is wrong",
            "No objbatch access key has this id and secret.",
          );
        }
        throttle.succeeded(accessKeyId);
        const token = newSessionToken();
        const createdAt = now();
        const expiresAt = createdAt + policy.lifetimeSeconds * 1000;
        const session: StoredSession = {
          tokenHash: sessionTokenHash(token),
          accountId: found.account.id,
          accessKeyId,
          createdAt,
          expiresAt,
          idleExpiresAt: Math.min(expiresAt, createdAt + policy.idleTimeoutSeconds * 1000),
        };
        await sessions.open(session);
        return {
          status: 201,
          body: sessionView(session, csrfTokenOf(token)),
          headers: NO_STORE,
          cookies: [sessionCookie(request, policy, token, expiresAt, createdAt)],
        };
      },
    },
    {
      method: "GET",
      path: "/session",
      operationId: "getSession",
      summary: "The console session the cookie names",
      authenticated: true,
      sessionOnly: true,
      responses: { 200: SESSION },
      problemNotes: { 404: "The request is signed: it has no session (a signature wins over a cookie)." },
      handler: async (context) => {
        const caller = sessionOf(context);
        return { status: 200, body: sessionView(caller.session, caller.csrfToken), headers: NO_STORE };
      },
    },
    {
      method: "DELETE",
      path: "/session",
      operationId: "signOut",
      summary: "Sign out: end the console session and clear its cookie",
      authenticated: true,
      sessionOnly: true,
      responses: { 204: { description: "Signed out; the cookie is cleared." } },
      problemNotes: { 404: "The request is signed: it has no session (a signature wins over a cookie)." },
      handler: async (context) => {
        const caller = sessionOf(context);
        await sessions.revoke(caller.session.tokenHash);
        return { status: 204, cookies: [clearedSessionCookie(context.request, policy)] };
      },
    },
    {
      method: "DELETE",
      path: "/sessions",
      operationId: "revokeSessions",
      summary: "End every console session of the account",
      description:
        "Every session of the calling account ends at once on every server sharing the store, whichever key " +
        "opened it. Called in a session, that session ends too and its cookie is cleared.",
      authenticated: true,
      responses: { 200: { description: "How many sessions ended.", schema: RevokedSessionsSchema } },
      handler: async ({ account, request, session }) => {
        const revoked = await sessions.revokeAccount(account.id);
        return {
          status: 200,
          body: { revoked },
          ...(session !== undefined ? { cookies: [clearedSessionCookie(request, policy)] } : {}),
        };
      },
    },
  ];
}

function sessionOf(context: RouteContext): SessionCaller {
  if (context.session !== undefined) return context.session;
  throw new ProblemError(
    404,
    "no-session",
    "No console session",
    "The request is signed, so it is not in a session; a signature wins over a session cookie.",
  );
}

function sessionView(session: StoredSession, csrfToken: string): SessionJson {
  return {
    accountId: session.accountId,
    accessKeyId: session.accessKeyId,
    expiresAt: new Date(session.expiresAt).toISOString(),
    idleExpiresAt: new Date(session.idleExpiresAt).toISOString(),
    csrfToken,
  };
}
