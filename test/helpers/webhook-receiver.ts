/**
 * A real webhook receiver for tests (D42): node:http on loopback that checks every delivery's signature as a
 * receiver would (Standard Webhooks headers, a timestamp tolerance), answers as its `plan` (one entry per request)
 * and then its `mode` say ("ok": 204, "fail": 500, "hang": never answers), and keeps every request that arrived and, deduplicated by webhook-id,
 * the events it handled (answered 2xx), in arrival order.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { verifySignature } from "../../src/notifications/signature.js";

export type ReceiverMode = "ok" | "fail" | "hang";

export interface Arrival {
  readonly id: string;
  readonly timestamp: string;
  readonly verified: boolean;
  readonly contentType: string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: a CloudEvent as received
  readonly event: any;
  readonly answered: ReceiverMode;
}

export class WebhookReceiver {
  mode: ReceiverMode = "ok";
  /** How to answer the next requests, one entry each, before `mode` applies again. */
  plan: ReceiverMode[] = [];
  /** Every request, in arrival order. */
  readonly arrivals: Arrival[] = [];
  /** Each id handled once (first 2xx), in the order handled. */
  readonly handled: Arrival[] = [];
  private readonly seen = new Set<string>();
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  url = "";

  constructor(
    private readonly secret: string,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
    private readonly toleranceSeconds = 300,
  ) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
  }

  async start(path = "/hooks"): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
    return this;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const header = (n: string) => req.headers[n] as string | undefined;
    const verified = verifySignature(
      this.secret,
      { id: header("webhook-id"), timestamp: header("webhook-timestamp"), signature: header("webhook-signature") },
      body,
      this.nowSeconds(),
      this.toleranceSeconds,
    );
    const mode = this.plan.shift() ?? this.mode;
    const arrival: Arrival = {
      id: header("webhook-id") ?? "",
      timestamp: header("webhook-timestamp") ?? "",
      verified,
      contentType: header("content-type"),
      event: JSON.parse(body),
      answered: mode,
    };
    this.arrivals.push(arrival);
    if (!verified) {
      res.writeHead(401).end();
      return;
    }
    if (mode === "hang") return;
    if (mode === "fail") {
      res.writeHead(500).end("not now");
      return;
    }
    if (!this.seen.has(arrival.id)) {
      this.seen.add(arrival.id);
      this.handled.push(arrival);
    }
    res.writeHead(204).end();
  }

  /** The handled events' types of one job, in order. */
  typesOf(jobId: string): string[] {
    return this.handled.filter((a) => a.event.subject === jobId).map((a) => a.event.type);
  }

  async waitFor(done: (r: this) => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this)) {
      if (Date.now() > deadline) throw new Error(`receiver: timed out waiting for ${what}`);
      await sleep(20);
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
