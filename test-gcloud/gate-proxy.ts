/**
 * A loopback HTTP proxy in front of s3rver that holds back the requests a test chooses (say, every DELETE)
 * until the test opens the gate, and forwards all others at once. A job whose object requests are held stays
 * Active with its tasks in flight for as long as the test wants, with no timer: what "cancel a running job"
 * needs. Requests are passed on byte for byte with their Host header, so SigV4 signatures still verify. Every
 * request's method, URL and headers are recorded, so a test can see what objbatch asked of the storage (a header
 * s3rver accepts and forgets, such as an SSE-KMS key).
 */
import http from "node:http";
import { listenOnLoopback } from "../test/helpers/loopback-server.js";

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
}

export interface GateProxy {
  readonly url: string;
  /** Every request received so far, in arrival order. */
  seen(): readonly SeenRequest[];
  /** How many requests are being held now. */
  held(): number;
  /** Resolves once at least `n` requests are held. */
  waitForHeld(n?: number): Promise<void>;
  /** Forwards the held requests, and every later one at once. */
  open(): void;
  close(): Promise<void>;
}

export async function startGateProxy(
  target: string,
  gated: (req: http.IncomingMessage) => boolean,
): Promise<GateProxy> {
  const upstream = new URL(target);
  let isOpen = false;
  const queue: (() => void)[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const seen: SeenRequest[] = [];
  const forward = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => {
    const out = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    out.end(body);
  };
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      const body = Buffer.concat(parts);
      if (isOpen || !gated(req)) return forward(req, body, res);
      queue.push(() => forward(req, body, res));
      for (const w of waiters.filter((x) => queue.length >= x.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    });
  });
  const loopback = await listenOnLoopback(server);
  return {
    url: loopback.url,
    seen: () => seen,
    held: () => queue.length,
    waitForHeld: (n = 1) =>
      queue.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve })),
    open() {
      isOpen = true;
      for (const go of queue.splice(0)) go();
    },
    close: () => loopback.close(),
  };
}
