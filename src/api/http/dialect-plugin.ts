/**
 * The route setup the three job dialects share, written once: a dialect hands in its routes, its signature
 * scheme (DialectAuthentication) and its error format (DialectErrorFormat, in its errors.ts), and gets a Fastify
 * plugin that
 *
 *   - gives each request its ids (the dialect's request-id headers, on every answer) as it arrives;
 *   - authenticates it at one entry point: the dialect's signature verifier, then its account header, before the
 *     body is read whenever the scheme allows (onRequest), otherwise once the body has arrived (preHandler);
 *   - once the body has arrived, checks what the signature says about it (Content-MD5, payload hashes) and binds a
 *     request that changes something to its signature when the signature does not cover all of it
 *     (auth/signature-binding.ts, docs/decisions.md D15);
 *   - reads every body raw, whatever its Content-Type, up to maxBodyBytes;
 *   - answers every error in the dialect's format: its own errors, DomainErrors, Fastify's rejections of a request
 *     (fastify-rejections.ts) and unexpected exceptions (logged, the dialect's internal error).
 *
 * Register the plugin without fastify-plugin: the content-type parser, hooks and error handler set here stay in
 * the dialect's encapsulated context, so the dialects registered on the same server keep their own.
 */
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyRequest } from "fastify";
import type { Account } from "../../accounts/types.js";
import { DomainError, invalidArgument, isDomainError } from "../../domain/errors.js";
import type { RequestTarget } from "../auth/request-target.js";
import { changesState, requestDigest, requireFirstUse, type SignatureLedger } from "../auth/signature-binding.js";
import { type FastifyRejection, fastifyRejectionOf } from "./fastify-rejections.js";
import { acceptRawBodies, bodyBytesOf } from "./raw-body.js";
import { sendXml } from "./xml-reply.js";

/** What every signature verifier establishes, whatever its scheme. */
export interface VerifiedSignature {
  readonly account: Account;
  readonly accessKeyId: string;
  /** The request target the signature covered; handlers read the query from it. */
  readonly target: RequestTarget;
  /** The signature as sent. */
  readonly signature: string;
  /** When the signature stops being accepted, ms. */
  readonly validUntil: number;
}

/** How a signature that does not cover the whole request is bound to its first request. */
export interface SignatureBinding {
  /** The scheme's name in the ledger (`cos`, `oss-v1`, ...), so two schemes' signature values never meet. */
  readonly scheme: string;
  /** What the refusal tells the client to do instead. */
  readonly advice: string;
}

/** A dialect's signature scheme, as the plugin's one authentication entry point uses it. */
export interface DialectAuthentication<V extends VerifiedSignature> {
  /** Whether the signature can be checked before the body arrives (otherwise the body is part of it). */
  verifiesBeforeBody(request: FastifyRequest): boolean;
  /** Checks the signature; `body` is undefined when it has not arrived yet. Throws DomainErrors. */
  verify(request: FastifyRequest, body: Uint8Array | undefined): V | Promise<V>;
  /** The header that must name the signing account, if the dialect has one. */
  readonly accountHeader?: { readonly name: string; readonly maxBytes?: number };
  /** Once the body has arrived: what the request says about its body (Content-MD5, payload hash) must hold. */
  checkBody(request: FastifyRequest, verified: V, body: Uint8Array): void;
  /** For a request that changes something: how to bind it, or undefined when its signature covers all of it. */
  bindingOf(request: FastifyRequest, verified: V): SignatureBinding | undefined;
}

/** A dialect's error answers: its ids, its codes and statuses, its body (the dialect's errors.ts). */
export interface DialectErrorFormat<E extends { readonly status: number }, Ids> {
  /** Names the API in the log line of an unexpected failure ("COS API"). */
  readonly api: string;
  /** The ids of a request that has just arrived. */
  newIds(): Ids;
  /** The headers that carry them, on every answer. */
  idHeaders(ids: Ids): Readonly<Record<string, string>>;
  /** An error the dialect's own code threw in its own format, or undefined. */
  ownError?(error: unknown): E | undefined;
  fromDomainError(error: DomainError): E;
  fromRejection(rejection: FastifyRejection, maxBodyBytes: number): E;
  /** The answer to an unexpected exception. */
  readonly internalError: E;
  /** The error body. */
  render(error: E, request: FastifyRequest, ids: Ids): string;
}

/** What a dialect's route declarations get from the plugin. */
export interface DialectRouteKit<V extends VerifiedSignature> {
  /** The request's verified signature; every route handler starts here. */
  authenticated(request: FastifyRequest): V;
  /** Options for every route: the dialect's body limit. */
  readonly routeOptions: { readonly bodyLimit: number };
}

export interface DialectPluginParts<V extends VerifiedSignature, E extends { readonly status: number }, Ids> {
  readonly authentication: DialectAuthentication<V>;
  readonly errors: DialectErrorFormat<E, Ids>;
  readonly signatureLedger: SignatureLedger;
  readonly maxBodyBytes: number;
  /** Registers the plugin under this prefix (S3 Control's `/v20180820`). */
  readonly prefix?: string;
  /** Declares the dialect's routes (and, under a prefix, its not-found handler) on the encapsulated instance. */
  readonly routes: (app: FastifyInstance, kit: DialectRouteKit<V>) => void;
}

interface RequestContext<V, Ids> {
  readonly ids: Ids;
  verified?: V;
}

export function dialectPlugin<V extends VerifiedSignature, E extends { readonly status: number }, Ids>(
  parts: DialectPluginParts<V, E, Ids>,
): FastifyPluginAsync {
  const { authentication, errors, signatureLedger, maxBodyBytes } = parts;

  const plugin: FastifyPluginAsync = async (app) => {
    const contexts = new WeakMap<FastifyRequest, RequestContext<V, Ids>>();

    const contextOf = (request: FastifyRequest): RequestContext<V, Ids> => {
      let context = contexts.get(request);
      if (context === undefined) {
        context = { ids: errors.newIds() };
        contexts.set(request, context);
      }
      return context;
    };

    /** The one authentication entry point: the signature, then the account header. */
    const authenticate = async (request: FastifyRequest, body: Uint8Array | undefined): Promise<void> => {
      const verified = await authentication.verify(request, body);
      if (authentication.accountHeader !== undefined) {
        requireAccountHeader(request, authentication.accountHeader, verified.account);
      }
      contextOf(request).verified = verified;
    };

    const answerTo = (error: unknown, request: FastifyRequest): E => {
      const own = errors.ownError?.(error);
      if (own !== undefined) return own;
      if (isDomainError(error)) return errors.fromDomainError(error);
      const rejection = fastifyRejectionOf(error);
      if (rejection !== undefined) return errors.fromRejection(rejection, maxBodyBytes);
      request.log.error({ err: error }, `${errors.api} request failed unexpectedly`);
      return errors.internalError;
    };

    acceptRawBodies(app, maxBodyBytes);

    app.setErrorHandler((error: FastifyError | Error, request, reply) => {
      const { ids } = contextOf(request);
      const answer = answerTo(error, request);
      sendXml(reply.code(answer.status).headers(errors.idHeaders(ids)), errors.render(answer, request, ids));
    });

    app.addHook("onRequest", async (request, reply) => {
      reply.headers(errors.idHeaders(contextOf(request).ids));
      if (authentication.verifiesBeforeBody(request)) await authenticate(request, undefined);
    });

    app.addHook("preHandler", async (request) => {
      const context = contextOf(request);
      const body = bodyBytesOf(request);
      if (context.verified === undefined) await authenticate(request, body);
      const verified = context.verified!;
      authentication.checkBody(request, verified, body);
      if (!changesState(request.method)) return;
      const binding = authentication.bindingOf(request, verified);
      if (binding === undefined) return;
      await requireFirstUse(
        signatureLedger,
        {
          scheme: binding.scheme,
          accessKeyId: verified.accessKeyId,
          signature: verified.signature,
          digest: requestDigest(request.method, request.url, body),
          expiresAt: verified.validUntil,
        },
        binding.advice,
      );
    });

    parts.routes(app, {
      authenticated: (request) => {
        const verified = contexts.get(request)?.verified;
        if (verified === undefined) throw new Error("request reached a handler unauthenticated");
        return verified;
      },
      routeOptions: { bodyLimit: maxBodyBytes },
    });
  };

  const prefix = parts.prefix;
  if (prefix === undefined) return plugin;
  return async (app) => {
    await app.register(plugin, { prefix });
  };
}

/** The account header (x-cos-appid, x-amz-account-id) must be present and name the signing account. */
function requireAccountHeader(
  request: FastifyRequest,
  header: { readonly name: string; readonly maxBytes?: number },
  account: Account,
): void {
  const value = request.headers[header.name];
  if (typeof value !== "string" || value === "") throw invalidArgument(`The ${header.name} header is required.`);
  if (header.maxBytes !== undefined && Buffer.byteLength(value) > header.maxBytes) {
    throw invalidArgument(`The ${header.name} header must be at most ${header.maxBytes} bytes long.`);
  }
  if (value !== account.id) {
    throw new DomainError(
      "AccessDenied",
      `The ${header.name} header does not name the account that signed the request.`,
    );
  }
}
