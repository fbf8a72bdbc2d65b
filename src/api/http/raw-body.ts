/**
 * Request bodies as raw bytes. Every dialect reads its bodies itself (XML, hashed for signatures and
 * Content-MD5), whatever Content-Type the client sent (or none), up to the dialect's body limit.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";

/**
 * Replaces the plugin's content-type parsers with one that hands every body over as a Buffer, refusing one
 * larger than maxBodyBytes (Fastify answers that with FST_ERR_CTP_BODY_TOO_LARGE, see fastify-rejections.ts).
 * Call it inside the dialect's own (encapsulated) plugin so the other dialects keep their parsers.
 */
export function acceptRawBodies(app: FastifyInstance, maxBodyBytes: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: maxBodyBytes }, (_request, body, done) => {
    done(null, body);
  });
}

/** The body that arrived, or undefined when there was none. */
export function bodyOf(request: FastifyRequest): Buffer | undefined {
  return Buffer.isBuffer(request.body) ? request.body : undefined;
}

/** The body that arrived, or no bytes: what a digest or payload hash is computed over. */
export function bodyBytesOf(request: FastifyRequest): Buffer {
  return bodyOf(request) ?? Buffer.alloc(0);
}
