/**
 * A Server-Sent Events client for tests: a SigV4-signed GET (as json-api.ts signs, with @smithy/signature-v4)
 * over node:http, and a parser of the event stream as the HTML standard defines it (fields `id`, `event`, `data`
 * over several lines, `retry`, comments; events end at a blank line; CRLF, CR or LF). It keeps every event and
 * comment it read, and lets a test wait for a condition on them (never on time).
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Credentials } from "./json-api.js";
import { signedParts } from "./sigv4-signing.js";

export interface SseEvent {
  /** The `id:` of the event, undefined when it had none. */
  readonly id: string | undefined;
  /** `event:` (default "message"). */
  readonly event: string;
  readonly data: string;
}

/** Incremental parser: feed it text as it arrives, it calls back each complete event and comment. */
export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private event = "";
  private id: string | undefined;
  private hasId = false;

  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    private readonly onComment: (text: string) => void = () => undefined,
  ) {}

  push(text: string): void {
    this.buffer += text;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) return;
      // A lone CR at the very end may be the first half of a CRLF: wait for more.
      if (match[0] === "\r" && match.index === this.buffer.length - 1) return;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === "") {
      if (this.data.length > 0) {
        this.onEvent({
          id: this.hasId ? this.id : undefined,
          event: this.event || "message",
          data: this.data.join("\n"),
        });
      }
      this.data = [];
      this.event = "";
      this.hasId = false;
      return;
    }
    if (line.startsWith(":")) {
      this.onComment(line.slice(1).trimStart());
      return;
    }
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id" && !value.includes("\0")) {
      this.id = value;
      this.hasId = true;
    }
  }
}

export interface SseOpen {
  readonly path: string;
  readonly credentials: Credentials;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
}

export class SseConnection {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  /** The response body when the status was not 200 (a problem). */
  body = "";
  private waiters: (() => void)[] = [];
  /** Resolves when the server ends the response (or the connection breaks). */
  readonly ended: Promise<void>;
  private endedFlag = false;

  constructor(
    readonly status: number,
    readonly headers: IncomingMessage["headers"],
    private readonly response: IncomingMessage,
  ) {
    const parser = new SseParser(
      (e) => {
        this.events.push(e);
        this.notify();
      },
      (c) => {
        this.comments.push(c);
        this.notify();
      },
    );
    response.setEncoding("utf8");
    response.on("data", (chunk: string) => {
      if (status === 200) parser.push(chunk);
      else this.body += chunk;
    });
    this.ended = new Promise((resolve) => {
      const done = () => {
        this.endedFlag = true;
        this.notify();
        resolve();
      };
      response.on("end", done);
      response.on("close", done);
      response.on("error", done);
    });
  }

  get isEnded(): boolean {
    return this.endedFlag;
  }

  /** Resolves once `condition` holds over what was read; rejects after `timeoutMs` (generous: a stuck test). */
  async waitFor(condition: (c: SseConnection) => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`timed out waiting for ${what}; read: ${JSON.stringify(this.events).slice(0, 3000)}`));
      }, timeoutMs);
      const check = () => {
        if (condition(this)) {
          clearTimeout(timer);
          resolve();
          return true;
        }
        return false;
      };
      if (check()) return;
      const waiter = () => {
        if (!check()) this.waiters.push(waiter);
      };
      this.waiters.push(waiter);
    });
  }

  /** The durable events (with an id) of the given types, or all. */
  durable(): SseEvent[] {
    return this.events.filter((e) => e.id !== undefined && e.event !== "reset");
  }

  /** Goes away, as a browser tab closing would. */
  close(): void {
    this.response.destroy();
  }

  private notify(): void {
    const waiters = this.waiters.splice(0);
    for (const w of waiters) w();
  }
}

/** Opens a signed event stream; resolves once the status and headers arrived. */
export async function openSse(baseUrl: string, open: SseOpen): Promise<SseConnection> {
  const base = new URL(baseUrl);
  const signer = new SignatureV4({
    credentials: { accessKeyId: open.credentials.accessKeyId, secretAccessKey: open.credentials.secretAccessKey },
    region: "eu-central-1",
    service: "objbatch",
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: true,
    applyChecksum: false,
  });
  const { headers, queryString } = await signedParts(
    signer,
    {
      method: "GET",
      protocol: "http:",
      hostname: base.hostname,
      path: open.path,
      query: open.query ?? {},
      headers: {
        host: base.host,
        accept: "text/event-stream",
        "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ...open.headers,
      },
    },
    {},
  );
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        method: "GET",
        path: queryString === "" ? open.path : `${open.path}?${queryString.replace(/\+/g, "%20")}`,
        headers,
      },
      (res) => resolve(new SseConnection(res.statusCode ?? 0, res.headers, res)),
    );
    req.on("error", reject);
    req.end();
  });
}

/** The JSON of each event's data. */
// biome-ignore lint/suspicious/noExplicitAny: parsed JSON
export const dataOf = (e: SseEvent): any => JSON.parse(e.data);
