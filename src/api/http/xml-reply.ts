/**
 * Sending XML answers from Fastify, the same for every dialect.
 */
import type { FastifyReply } from "fastify";

/** Send bytes, not a string: Fastify would append `; charset=utf-8` to a string's Content-Type. */
export function sendXml(reply: FastifyReply, xml: string): void {
  reply.type("application/xml").send(Buffer.from(xml, "utf8"));
}
