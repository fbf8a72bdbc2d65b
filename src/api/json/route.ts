/**
 * One route of the JSON API, declared once: its method and path, its schemas (query, body, responses) and its
 * handler. The plugin (plugin.ts) registers it, validates the request against the same schemas, and the OpenAPI
 * document (openapi.ts) is generated from them.
 */
import type { Readable } from "node:stream";
import type { FastifyRequest } from "fastify";
import type { TSchema } from "typebox";
import type { Account } from "../../accounts/types.js";
import type { QueryParam } from "../auth/request-target.js";
import type { SessionCaller } from "./sessions/session-authentication.js";
import type { CookieToSet } from "./sessions/session-cookie.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RouteContext {
  readonly request: FastifyRequest;
  /**
   * The calling account (by its signature or its session). A public route (`authenticated: false`) is given
   * none and must not read it.
   */
  readonly account: Account;
  /** The console session the request came in (D33); none for a signed request or a public route. */
  readonly session?: SessionCaller;
  /** The path's parameters (`jobId`). */
  readonly params: Readonly<Record<string, string>>;
  /** The query as the client sent it (and, for signed requests, as it was signed). */
  readonly query: readonly QueryParam[];
  /**
   * The body parsed as JSON and checked against `body` (undefined when the route takes none); for a `rawBody`
   * route, the bytes as they arrived (a Buffer, empty when none were sent).
   */
  readonly body: unknown;
}

export interface RouteAnswer {
  readonly status: number;
  /** Sent as application/json; none for 204. */
  readonly body?: unknown;
  /** Sent instead of `body`, as it is read (a results file): piped with backpressure, never held whole. */
  readonly stream?: { readonly body: Readable; readonly contentType: string };
  readonly headers?: Readonly<Record<string, string>>;
  /** Cookies to set (the console session's, D33). */
  readonly cookies?: readonly CookieToSet[];
}

/** A success answer as documented: JSON of `schema` unless `contentType` says otherwise (then a string). */
export interface RouteResponse {
  readonly description: string;
  readonly schema?: TSchema;
  /** Default application/json. */
  readonly contentType?: string;
  /** Headers the answer carries, documented (name -> description). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface JsonRoute {
  readonly method: HttpMethod;
  /** Under /api/v1, Fastify style (`/jobs/:jobId`). */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  /** False for the few routes anyone may call (the OpenAPI document, signing in). */
  readonly authenticated: boolean;
  /** Only a console session makes sense for it (GET and DELETE /session): documented with that scheme alone. */
  readonly sessionOnly?: boolean;
  /** The path's parameters other than `jobId`, by name (documented; `jobId` has its own schema). */
  readonly params?: Readonly<Record<string, TSchema>>;
  /** The query's parameters as one object schema (documented one parameter per property). */
  readonly query?: TSchema;
  /** The JSON body; `bodyRequired` false lets it be left out. */
  readonly body?: TSchema;
  readonly bodyRequired?: boolean;
  /**
   * Instead of `body`: the route takes the body's bytes as they are, whatever its Content-Type (documented as
   * `contentType`), up to `maxBytes` (its own limit instead of the API's maxBodyBytes). Its handler checks them.
   */
  readonly rawBody?: RawBody;
  /** Success answers by status; the error answers (problem+json) are documented for every route. */
  readonly responses: Readonly<Record<number, RouteResponse>>;
  /** Error statuses this route may answer besides the ones every authenticated route may (documented). */
  readonly problems?: readonly number[];
  /** What an error status means for this route, where the common description (openapi.ts) does not fit. */
  readonly problemNotes?: Readonly<Record<number, string>>;
  readonly handler: (context: RouteContext) => Promise<RouteAnswer>;
}

/** A body taken as bytes (POST /manifests, D38). */
export interface RawBody {
  /** The media type the OpenAPI document gives the body (any is accepted). */
  readonly contentType: string;
  /** The route's body limit; a larger body is a 413 problem naming it. */
  readonly maxBytes: number;
  readonly description?: string;
}
