/**
 * The web console (D41): the single-page app `npm run build` writes into dist/console (from web/, with Vite),
 * served at /console/ by every API server. Its hashed assets are cached for a year; index.html is revalidated,
 * and answers every other path under /console/ (the app routes in the browser). Every answer carries a strict
 * Content-Security-Policy: the console's own scripts, styles and API only, no inline script, no framing. A
 * browser that opens the server's root (GET / without a signature, asking for HTML) is sent to the console;
 * every API client keeps the answers of its API there. A server whose console was not built says how to build it.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";

/** dist/console, from src/api/http and from dist/api/http alike (both three levels below the package root). */
export const CONSOLE_DIR = fileURLToPath(new URL("../../../dist/console/", import.meta.url));

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const IMMUTABLE = "public, max-age=31536000, immutable";

function secure(reply: FastifyReply): void {
  reply.header("content-security-policy", CONSOLE_CSP);
  reply.header("x-content-type-options", "nosniff");
  reply.header("referrer-policy", "no-referrer");
  reply.header("x-frame-options", "DENY");
  reply.header("cross-origin-opener-policy", "same-origin");
}

export function consoleRoutes(dir: string = CONSOLE_DIR): FastifyPluginAsync {
  return async (app) => {
    app.get("/console", async (_request, reply) => reply.redirect("/console/", 302));
    if (!existsSync(join(dir, "index.html"))) {
      app.get("/console/*", async (_request, reply) => {
        secure(reply);
        return reply
          .code(503)
          .type("text/plain; charset=utf-8")
          .send(
            "The objbatch console is not built in this installation: run `npm run build`, then start objbatch again.\n",
          );
      });
      return;
    }
    await app.register(fastifyStatic, {
      root: dir,
      prefix: "/console/",
      // Only the files that exist get routes; every other path under /console/ is the app's (below).
      wildcard: false,
      index: "index.html",
      decorateReply: true,
      setHeaders: (res, path) => {
        res.setHeader("cache-control", path.includes(`${join(dir, "assets")}`) ? IMMUTABLE : "no-cache");
        res.setHeader("content-security-policy", CONSOLE_CSP);
        res.setHeader("x-content-type-options", "nosniff");
        res.setHeader("referrer-policy", "no-referrer");
        res.setHeader("x-frame-options", "DENY");
        res.setHeader("cross-origin-opener-policy", "same-origin");
      },
    });
    app.get("/console/*", async (request, reply) => {
      secure(reply);
      const path = request.url.split("?")[0] ?? "";
      // A missing asset is missing, not the app: a stale page asking for an old bundle must not get HTML.
      if (path.startsWith("/console/assets/")) {
        return reply.code(404).type("text/plain; charset=utf-8").send("No such console asset.\n");
      }
      return reply.header("cache-control", "no-cache").sendFile("index.html", dir);
    });
  };
}

/**
 * GET / from a browser (no signature, no query, asking for HTML) goes to the console. Added on the root
 * instance before the dialects, so it runs before the OSS plugin, which owns GET /, refuses the anonymous request.
 */
export async function browserAtRootToConsole(
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply | undefined> {
  if (request.method !== "GET" || request.url !== "/") return undefined;
  if (request.headers.authorization !== undefined) return undefined;
  if (!String(request.headers.accept ?? "").includes("text/html")) return undefined;
  // Returning the reply ends the request here, before any dialect's hooks.
  return reply.redirect("/console/", 302);
}
