/**
 * How long the HTTP server waits for clients, and how many connections it keeps. Without limits, sockets that
 * never send a byte stay open for minutes and, once they fill the process's open-file limit, accept() fails
 * and real clients are turned away (docs/decisions.md D16).
 *
 * - Timeouts: a connection must send a request's headers within `headersTimeoutMs` (this also closes sockets
 *   that never send anything) and the whole request within `requestTimeoutMs`; an idle keep-alive connection
 *   is closed after `keepAliveTimeoutMs`, and any connection silent both ways for `idleTimeoutMs`.
 * - A connection cap that keeps serving: at `maxConnections`, a new connection closes the connection that has
 *   been idle longest (no request in flight: it never sent a complete request, or it is an idle keep-alive
 *   one), so idle sockets cannot crowd out real clients. Only when every connection has a request in flight is
 *   the new one refused. The default cap leaves room below the open-file limit for the engine (config.ts).
 *
 * The `http` section of the config file sets them (HTTP_LIMITS_SCHEMA); buildServer applies them.
 */
import type { Server } from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "pino";
import { type Static, Type } from "typebox";

export const HTTP_LIMITS_SCHEMA = Type.Object(
  {
    maxConnections: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1_000_000,
        description:
          "Connections kept at once; at the cap a new connection closes the longest-idle one (default: what the " +
          "open-file limit leaves after the engine's share, at most 10,000).",
      }),
    ),
    headersTimeoutMs: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 3_600_000,
        description:
          "A request's headers must arrive within this time (ms); a connection that sends nothing is closed after it.",
      }),
    ),
    requestTimeoutMs: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 3_600_000,
        description: "A whole request, headers and body, must arrive within this time (ms); at least headersTimeoutMs.",
      }),
    ),
    keepAliveTimeoutMs: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 3_600_000,
        description: "An idle keep-alive connection is closed after this time (ms).",
      }),
    ),
    idleTimeoutMs: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 3_600_000,
        description: "A connection with no bytes in either direction for this time (ms) is closed, whatever its state.",
      }),
    ),
  },
  {
    additionalProperties: false,
    title: "HTTP limits",
    description: "The HTTP server's timeouts and connection cap; unset ones keep their default.",
  },
);

export type HttpLimitsSection = Static<typeof HTTP_LIMITS_SCHEMA>;

export interface HttpLimits {
  readonly maxConnections: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly idleTimeoutMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 30_000,
  idleTimeoutMs: 120_000,
} as const;

/**
 * The limits from the config file's `http` section, with the defaults filled in (`defaultMaxConnections` from
 * the open-file budget). Throws an Error naming the setting when two of them contradict each other.
 */
export function resolveHttpLimits(section: HttpLimitsSection | undefined, defaultMaxConnections: number): HttpLimits {
  const headersTimeoutMs = section?.headersTimeoutMs ?? DEFAULT_HTTP_TIMEOUTS.headersTimeoutMs;
  const requestTimeoutMs =
    section?.requestTimeoutMs ?? Math.max(DEFAULT_HTTP_TIMEOUTS.requestTimeoutMs, headersTimeoutMs);
  if (requestTimeoutMs < headersTimeoutMs) {
    throw new Error(
      `requestTimeoutMs (${requestTimeoutMs}) must be at least headersTimeoutMs (${headersTimeoutMs}): the headers are part of the request`,
    );
  }
  return {
    maxConnections: section?.maxConnections ?? defaultMaxConnections,
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: section?.keepAliveTimeoutMs ?? DEFAULT_HTTP_TIMEOUTS.keepAliveTimeoutMs,
    idleTimeoutMs: section?.idleTimeoutMs ?? DEFAULT_HTTP_TIMEOUTS.idleTimeoutMs,
  };
}

/** Fastify's server options for the timeouts. */
export function serverTimeoutOptions(limits: HttpLimits) {
  return {
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node looks for connections past their header or request deadline this often (default 30 s, which
      // would let a 1 s timeout run for 31 s).
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
    },
  };
}

const WARN_EVERY_MS = 60_000;

/** The part of a Fastify instance the limits need. */
interface HttpApp {
  readonly server: Server;
  addHook(name: "preClose", hook: (done: () => void) => void): unknown;
}

/**
 * Applies the connection cap to a Fastify app (the timeouts go in its options: serverTimeoutOptions). When
 * the app closes, connections with no request in flight are closed at once: a graceful shutdown waits for
 * requests, not for clients that send nothing.
 */
export function applyConnectionLimits(app: HttpApp, limits: HttpLimits, log: Logger): void {
  log.info(limits, "HTTP limits");
  const { closeIdle } = capConnections(app.server, limits.maxConnections, log);
  app.addHook("preClose", (done) => {
    closeIdle();
    done();
  });
}

/**
 * Keeps at most `maxConnections` connections to `server`: a connection beyond the cap closes the one idle
 * longest, or is itself refused when every other connection has a request in flight.
 */
export function capConnections(server: Server, maxConnections: number, log: Logger): { closeIdle(): void } {
  /** Connections with no request in flight, longest idle first (a Map keeps insertion order). */
  const idle = new Map<Socket, true>();
  /** Requests in flight per connection. */
  const busy = new Map<Socket, number>();
  let shed = 0;
  let refused = 0;
  let lastWarning = Number.NEGATIVE_INFINITY;

  const warn = () => {
    const now = Date.now();
    if (now - lastWarning < WARN_EVERY_MS) return;
    lastWarning = now;
    log.warn(
      { maxConnections, closedIdle: shed, refused },
      "HTTP connection cap reached: closing the longest-idle connections",
    );
  };

  server.on("connection", (socket: Socket) => {
    socket.once("close", () => {
      idle.delete(socket);
      busy.delete(socket);
    });
    idle.set(socket, true);
    if (idle.size + busy.size <= maxConnections) return;
    const [oldest] = idle.keys();
    if (oldest !== socket) {
      idle.delete(oldest);
      oldest.destroy();
      shed++;
    } else {
      idle.delete(socket);
      socket.destroy();
      refused++;
    }
    warn();
  });

  server.on("request", (req, res) => {
    const socket = req.socket;
    idle.delete(socket);
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    res.once("close", () => {
      const left = (busy.get(socket) ?? 1) - 1;
      if (left > 0) {
        busy.set(socket, left);
        return;
      }
      busy.delete(socket);
      // Idle from now on: the newest idle connection, the last one to be closed at the cap.
      if (!socket.destroyed) idle.set(socket, true);
    });
  });

  return {
    closeIdle() {
      for (const socket of idle.keys()) socket.destroy();
      idle.clear();
    },
  };
}
