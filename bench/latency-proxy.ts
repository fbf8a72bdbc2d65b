/**
 * An HTTP reverse proxy that holds every request for a fixed time before passing it on: a nearby S3 server made
 * to answer like a distant one, so that a benchmark measures how objbatch overlaps waiting, not how fast the
 * local server is (bench/worker-scaling.ts puts it in front of s3rver). Requests go through unchanged, the Host
 * header included, so SigV4 signatures made for the proxy's address still verify at the server behind it.
 */
import http from "node:http";
import { listenOnLoopback } from "../test/helpers/loopback-server.js";

export interface LatencyProxy {
  /** http://127.0.0.1:port to send requests to. */
  readonly url: string;
  /** Requests passed on so far. */
  readonly requests: () => number;
  close(): Promise<void>;
}

export async function startLatencyProxy(target: string, delayMs: number): Promise<LatencyProxy> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    // Hold the request (its body waits in the socket's buffers), then stream it on and the answer back.
    req.pause();
    setTimeout(() => {
      const forward = http.request(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on("error", (e) => {
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
        res.end(`latency proxy: ${e.message}`);
      });
      req.pipe(forward);
      req.resume();
    }, delayMs);
  });
  const listening = await listenOnLoopback(server);
  return {
    url: listening.url,
    requests: () => requests,
    async close() {
      await listening.close();
      agent.destroy();
    },
  };
}
