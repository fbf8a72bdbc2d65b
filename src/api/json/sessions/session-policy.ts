/**
 * The operator's choices about console sessions (D33), with their defaults:
 *
 *   lifetimeSeconds     how long a session lasts from sign-in, however much it is used (default 12 h)
 *   idleTimeoutSeconds  how long a session lasts unused (default 2 h; at least the lifetime: no idle end)
 *   secureCookie        "tls" (default): the cookie is Secure when the request came over TLS to objbatch itself;
 *                       "always": always Secure, for objbatch behind a proxy that terminates TLS
 */
import { Type } from "typebox";

export interface SessionPolicy {
  readonly lifetimeSeconds: number;
  readonly idleTimeoutSeconds: number;
  readonly secureCookie: "tls" | "always";
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  lifetimeSeconds: 12 * 3600,
  idleTimeoutSeconds: 2 * 3600,
  secureCookie: "tls",
};

const THIRTY_DAYS = 30 * 24 * 3600;

/** The config file's `sessions` section (config/schema.ts): any field may be left out for its default. */
export const SESSION_POLICY_SCHEMA = Type.Object(
  {
    lifetimeSeconds: Type.Optional(
      Type.Integer({
        minimum: 60,
        maximum: THIRTY_DAYS,
        description: "How long a console session lasts from sign-in, in seconds (default 43200, 12 h).",
      }),
    ),
    idleTimeoutSeconds: Type.Optional(
      Type.Integer({
        minimum: 60,
        maximum: THIRTY_DAYS,
        description:
          "How long a console session lasts unused, in seconds (default 7200, 2 h); the lifetime or more: no idle end.",
      }),
    ),
    secureCookie: Type.Optional(
      Type.Enum(["tls", "always"], {
        description:
          'The session cookie\'s Secure attribute: "tls" (default) when the request came over TLS, "always" behind a ' +
          "proxy that terminates TLS.",
      }),
    ),
  },
  {
    additionalProperties: false,
    description: "Console sessions of the JSON API (api/json/sessions/session-policy.ts).",
  },
);

/** The policy with defaults filled in for what `partial` leaves out. */
export function sessionPolicyOf(partial: Partial<SessionPolicy> = {}): SessionPolicy {
  return { ...DEFAULT_SESSION_POLICY, ...partial };
}
