/** Console sessions (D33): signing in, the session as the console sees it, revoking an account's sessions. */
import { type Static, Type } from "typebox";

export const SignInRequestSchema = Type.Object(
  {
    accessKeyId: Type.String({ minLength: 1, maxLength: 256, description: "An access key id of an objbatch account." }),
    secretAccessKey: Type.String({
      minLength: 1,
      maxLength: 1024,
      writeOnly: true,
      description: "The access key's secret.",
    }),
  },
  { additionalProperties: false, title: "SignInRequest" },
);
export type SignInRequest = Static<typeof SignInRequestSchema>;

const Instant = Type.String({ format: "date-time" });

export const SessionSchema = Type.Object(
  {
    accountId: Type.String(),
    accessKeyId: Type.String({ description: "The access key the session was opened with." }),
    expiresAt: { ...Instant, description: "When the session ends however much it is used." },
    idleExpiresAt: { ...Instant, description: "When the session ends unless it is used before; each use moves it." },
    csrfToken: Type.String({
      description: "Send it in the X-CSRF-Token header with every request of the session that changes something.",
    }),
  },
  { additionalProperties: false, title: "Session" },
);
export type SessionJson = Static<typeof SessionSchema>;

export const RevokedSessionsSchema = Type.Object(
  { revoked: Type.Integer({ minimum: 0, description: "How many sessions were ended." }) },
  { additionalProperties: false, title: "RevokedSessions" },
);
