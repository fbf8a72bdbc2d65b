/**
 * A fault-injection HTTP proxy for resilience tests: it stands on loopback in front of a real S3 server (s3rver,
 * radosgw) and fails a chosen share of the requests it forwards, the way busy object storage does:
 *
 * - `slowDown`: 503 with S3's `SlowDown` XML error, the request never reaches the server;
 * - `internalError`: 500 with S3's `InternalError` XML error, the request never reaches the server;
 * - `dropBeforeForward`: the client's socket is destroyed as soon as the request head arrives (mid-request: the
 *   body, if any, is cut off), so the server never sees the request;
 * - `dropAfterForward`: the request is forwarded and the server's whole answer read, then the client's socket is
 *   destroyed instead of answering: the server did the work but the client can not know it (the case that
 *   makes operations prove they are safe to repeat).
 *
 * Which request gets which fate is drawn from a PRNG seeded with `seed`, one draw per eligible request in
 * arrival order: the same seed gives the same sequence of fates (and so the same counts for the same number of
 * requests); which request meets which fate follows arrival order, which concurrency may shuffle. `stats()`
 * counts what the proxy did. Requests are passed on byte for byte with their Host header unchanged, so SigV4
 * signatures made for the proxy's address still verify at the server.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export type FaultKind = "slowDown" | "internalError" | "dropBeforeForward" | "dropAfterForward";
export type Fate = "pass" | FaultKind;

export interface FaultRates {
  /** Share of eligible requests answered 503 SlowDown (0 to 1). */
  readonly slowDown?: number;
  /** Share answered 500 InternalError. */
  readonly internalError?: number;
  /** Share whose connection is dropped; `dropAfterForwardShare` of those after the server answered. */
  readonly drop?: number;
  /** Of the dropped requests, the share forwarded to the server before the drop (default 0.5). */
  readonly dropAfterForwardShare?: number;
}

export interface FaultProxyOptions extends FaultRates {
  /** The real server, e.g. http://127.0.0.1:7480. */
  readonly target: string;
  readonly seed: number;
  /**
   * Which requests may be failed (default: all). Others are always passed on and counted as `exempt`, e.g.
   * `(req) => req.method === "PUT" && "x-amz-copy-source" in req.headers` to fail only CopyObject.
   */
  readonly eligible?: (req: http.IncomingMessage) => boolean;
}

export interface FaultStats {
  /** Every request received. */
  readonly requests: number;
  /** Requests the `eligible` filter excluded (always passed on). */
  readonly exempt: number;
  /** Eligible requests passed on untouched. */
  readonly passed: number;
  readonly slowDown: number;
  readonly internalError: number;
  readonly dropBeforeForward: number;
  readonly dropAfterForward: number;
  /** Requests the server itself could not be reached for (answered 502). */
  readonly upstreamErrors: number;
}

export interface FaultProxy {
  /** The proxy's URL, to use as the S3 endpoint. */
  readonly url: string;
  stats(): FaultStats;
  /** Changes the rates from the next request on (the PRNG sequence continues). */
  setRates(rates: FaultRates): void;
  close(): Promise<void>;
}

/** mulberry32: a small, fast, well-mixed 32-bit PRNG; plenty for choosing fates, and reproducible from a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The sequence of fates for a seed and rates: the proxy's decisions, without the proxy. */
export function fatePlan(seed: number, initialRates: FaultRates): { next(): Fate; setRates(rates: FaultRates): void } {
  const random = seededRandom(seed);
  let rates = checkRates(initialRates);
  return {
    next() {
      const r = random();
      const split = random();
      let edge = rates.slowDown;
      if (r < edge) return "slowDown";
      edge += rates.internalError;
      if (r < edge) return "internalError";
      edge += rates.drop;
      if (r < edge) return split < rates.dropAfterForwardShare ? "dropAfterForward" : "dropBeforeForward";
      return "pass";
    },
    setRates(next) {
      rates = checkRates(next);
    },
  };
}

function checkRates(rates: FaultRates): Required<FaultRates> {
  const r = {
    slowDown: rates.slowDown ?? 0,
    internalError: rates.internalError ?? 0,
    drop: rates.drop ?? 0,
    dropAfterForwardShare: rates.dropAfterForwardShare ?? 0.5,
  };
  for (const [name, v] of Object.entries(r)) {
    if (!(v >= 0 && v <= 1)) throw new Error(`fault rate ${name} must be from 0 to 1, got ${v}`);
  }
  if (r.slowDown + r.internalError + r.drop > 1) throw new Error("fault rates add up to more than 1");
  return r;
}

const ERRORS = {
  slowDown: { status: 503, code: "SlowDown", message: "Please reduce your request rate." },
  internalError: { status: 500, code: "InternalError", message: "We encountered an internal error. Please try again." },
} as const;

function s3ErrorXml(code: string, message: string, resource: string, requestId: string): string {
  const xmlText = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${xmlText(message)}</Message><Resource>${xmlText(resource)}</Resource>` +
    `<RequestId>${requestId}</RequestId></Error>`
  );
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const plan = fatePlan(options.seed, options);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const counts = {
    requests: 0,
    exempt: 0,
    passed: 0,
    slowDown: 0,
    internalError: 0,
    dropBeforeForward: 0,
    dropAfterForward: 0,
    upstreamErrors: 0,
  };

  const server = http.createServer((req, res) => {
    counts.requests++;
    const eligible = options.eligible?.(req) ?? true;
    const fate: Fate = eligible ? plan.next() : "pass";
    if (!eligible) counts.exempt++;
    else counts[fate === "pass" ? "passed" : fate]++;

    switch (fate) {
      case "dropBeforeForward":
        req.socket.destroy();
        return;
      case "slowDown":
      case "internalError": {
        const e = ERRORS[fate];
        const body = s3ErrorXml(e.code, e.message, req.url ?? "/", `fault-${counts.requests}`);
        // Read the request body first, so the connection stays usable for the client's next request.
        req.resume();
        req.once("end", () => {
          res.writeHead(e.status, {
            "content-type": "application/xml",
            "content-length": Buffer.byteLength(body),
            "x-amz-request-id": `fault-${counts.requests}`,
          });
          res.end(body);
        });
        return;
      }
      default:
        forward(req, res, fate === "dropAfterForward");
    }
  });

  function forward(req: http.IncomingMessage, res: http.ServerResponse, dropAnswer: boolean) {
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (answer) => {
        if (dropAnswer) {
          answer.resume();
          answer.once("end", () => req.socket.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    upstream.on("error", (e) => {
      counts.upstreamErrors++;
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const body = s3ErrorXml("BadGateway", `fault proxy: ${e.message}`, req.url ?? "/", "fault-proxy");
      res.writeHead(502, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
    req.on("aborted", () => upstream.destroy());
    req.pipe(upstream);
  }

  // A client that gives up on a request leaves its socket to error out; that is no failure of the proxy.
  server.on("clientError", (_e, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => ({ ...counts }),
    setRates: (rates) => plan.setRates(rates),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
      agent.destroy();
    },
  };
}
