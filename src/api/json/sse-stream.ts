/**
 * A Server-Sent Events response body (https://html.spec.whatwg.org/multipage/server-sent-events.html): events
 * written as `id:`, `event:` and `data:` lines, comments as heartbeats, on a stream Fastify pipes to the client
 * with backpressure. `send` resolves once the client has taken what was written (so a catch-up waits for a slow
 * reader); a reader that falls more than `maxBufferedBytes` behind on live events is cut off, and resumes with
 * Last-Event-ID. `end` finishes the response cleanly; `onClose` runs once, whoever ended it (the client, the
 * server closing, a failure).
 */
import { PassThrough } from "node:stream";

export interface SseOptions {
  /** Heartbeat comment interval (default 15 s). */
  readonly heartbeatMs?: number;
  /** The most bytes waiting for a slow client before the stream is ended (default 1 MiB). */
  readonly maxBufferedBytes?: number;
  /** The reconnection delay suggested to EventSource (`retry:`, default 2 s). */
  readonly retryMs?: number;
}

export class SseStream {
  readonly body = new PassThrough();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly closers: (() => void)[] = [];
  private ended = false;

  constructor(private readonly options: SseOptions = {}) {
    this.body.write(`retry: ${options.retryMs ?? 2_000}\n: stream open\n\n`);
    this.heartbeat = setInterval(() => this.write(": heartbeat\n\n"), options.heartbeatMs ?? 15_000);
    this.body.on("close", () => this.closed());
    // A body destroyed with an error (the response broke) only ends the stream.
    this.body.on("error", () => this.closed());
  }

  get open(): boolean {
    return !this.ended;
  }

  /** Runs `fn` once when the stream ends, for any reason (at once if it has). */
  onClose(fn: () => void): void {
    if (this.ended) fn();
    else this.closers.push(fn);
  }

  /** Writes one event; resolves when the client has room for more. */
  async send(event: { readonly id?: number; readonly event: string; readonly data: unknown }): Promise<void> {
    const lines = `${event.id === undefined ? "" : `id: ${event.id}\n`}event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
    if (!this.write(lines) && !this.ended) await this.room();
  }

  /** Resolves when the body drains or ends, whichever comes first (never rejects: an error ends the stream). */
  private room(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.body.off("drain", done);
        this.body.off("close", done);
        this.body.off("error", done);
        resolve();
      };
      this.body.on("drain", done);
      this.body.on("close", done);
      this.body.on("error", done);
    });
  }

  /** Ends the response cleanly. */
  end(): void {
    if (this.ended) return;
    this.body.end();
    this.closed();
  }

  private write(text: string): boolean {
    if (this.ended) return true;
    const ok = this.body.write(text);
    if (this.body.writableLength > (this.options.maxBufferedBytes ?? 1024 * 1024)) this.end();
    return ok;
  }

  private closed(): void {
    if (this.ended && this.closers.length === 0) return;
    this.ended = true;
    clearInterval(this.heartbeat);
    const closers = this.closers.splice(0);
    for (const fn of closers) fn();
  }
}
