/**
 * The console session's cookie (D33): `objbatch_session`, HttpOnly (no script reads it), SameSite=Strict (no
 * other site's page sends it), Path=/api/v1 (only the API gets it), Secure when the request came over TLS (or
 * always, by the session policy), and Expires / Max-Age at the session's absolute end. Signing out sends it
 * again empty and already expired.
 */
import type { CookieSerializeOptions } from "@fastify/cookie";
import type { FastifyRequest } from "fastify";
import { API_PREFIX } from "../openapi.js";
import type { SessionPolicy } from "./session-policy.js";

export const SESSION_COOKIE = "objbatch_session";
/** The header a request that changes something in a session carries the session's CSRF token in. */
export const CSRF_HEADER = "x-csrf-token";

export interface CookieToSet {
  readonly name: string;
  readonly value: string;
  readonly options: CookieSerializeOptions;
}

function attributes(request: FastifyRequest, policy: SessionPolicy): CookieSerializeOptions {
  return {
    path: API_PREFIX,
    httpOnly: true,
    sameSite: "strict",
    secure: policy.secureCookie === "always" || request.protocol === "https",
  };
}

/** The cookie that carries a new session's token until `expiresAt` (ms since the epoch; `now` likewise). */
export function sessionCookie(
  request: FastifyRequest,
  policy: SessionPolicy,
  token: string,
  expiresAt: number,
  now: number,
): CookieToSet {
  return {
    name: SESSION_COOKIE,
    value: token,
    options: {
      ...attributes(request, policy),
      expires: new Date(expiresAt),
      maxAge: Math.max(0, Math.floor((expiresAt - now) / 1000)),
    },
  };
}

/** The cookie that makes the browser forget the session's. */
export function clearedSessionCookie(request: FastifyRequest, policy: SessionPolicy): CookieToSet {
  return {
    name: SESSION_COOKIE,
    value: "",
    options: { ...attributes(request, policy), expires: new Date(0), maxAge: 0 },
  };
}
