/**
 * The lean path for the requests a job makes once per task (CopyObject, DeleteObject): each one signed with
 * SigV4 (sigv4.ts, node:crypto; the same headers @smithy/signature-v4 makes, at half its CPU) and sent with
 * node:http on the SDK client's own keep-alive agents, past the SDK's middleware stack. Measured with CopyObject
 * at 32 in flight (bench/s3-copy.ts), the AWS SDK v3 spends about 1.1 ms of CPU per request (schema
 * serialisation, endpoint rules, retry, user-agent and logging middleware, XML parsing, the garbage all that
 * makes); this path about 0.25 ms, most of it node:http and the socket write.
 *
 * It keeps what the SDK path guarantees, so a task sees the same answers either way:
 * - the bucket's URL, addressing style and signing region come from the SDK's own endpoint resolver, once per
 *   bucket; a bucket it gives another auth scheme (S3 Express sessions, multi-region access points) or cannot
 *   resolve is left to the SDK (`send` answers undefined), which then answers or fails exactly as before;
 * - credentials come from the client's provider (static keys or the default chain, memoised by the SDK);
 * - the connect and idle timeouts of client.ts, as retryable TimeoutErrors;
 * - `maxAttempts` attempts with full-jitter backoff (a longer base after throttling), as the SDK's standard
 *   retry strategy does (default 1: the engine retries tasks itself, engine/retry.ts);
 * - failures shaped like the SDK's errors (name and Code from S3's XML error, `$metadata.httpStatusCode`, the
 *   socket's error code), so errors.ts maps them to the same StorageErrors; an `<Error>` inside a 200 answer
 *   (CopyObject's way of failing late) is an error too.
 */
import http, { type IncomingHttpHeaders } from "node:http";
import https from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import type { S3Client } from "@aws-sdk/client-s3";
import { encodeRfc3986 } from "../../rfc3986.js";
import { isStorageError } from "../errors.js";
import { THROTTLING_CODES } from "../throttling-codes.js";
import type { ResolvedS3Config } from "./config.js";
import { toStorageError } from "./errors.js";
import { SigV4Signer } from "./sigv4.js";

export interface SignedRequest {
  readonly method: "GET" | "PUT" | "DELETE" | "HEAD";
  readonly bucket: string;
  readonly key: string;
  readonly query?: Readonly<Record<string, string>>;
  /** Lower-case names; every x-amz-* and content-* header is signed. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface SignedAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The answer's body as text (the requests sent this way answer a few hundred bytes of XML at most). */
  readonly body: string;
}

/** Where one bucket's requests go and how they are signed. */
interface BucketTarget {
  readonly protocol: "http:" | "https:";
  readonly hostname: string;
  readonly port: number | undefined;
  /** The `host` header (with the port when not the scheme's default). */
  readonly host: string;
  /** The path before the key: `/bucket` (path style) or empty (virtual-hosted). */
  readonly basePath: string;
  readonly signer: SigV4Signer;
}

/** The SHA-256 of an empty payload: every request sent this way has no body. */
const EMPTY_PAYLOAD_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/** A job touches a handful of buckets; past this many the cache starts over. */
const MAX_CACHED_BUCKETS = 1000;

export class SignedRequests {
  private readonly targets = new Map<string, Promise<BucketTarget | undefined>>();
  private readonly signers = new Map<string, SigV4Signer>();

  constructor(
    /** The SDK client whose configuration (credentials, endpoint resolution) this path shares. */
    private readonly client: S3Client,
    private readonly agents: { readonly http: http.Agent; readonly https: https.Agent },
    private readonly config: ResolvedS3Config,
    private readonly random: () => number = Math.random,
  ) {}

  /** Sends the request; undefined when this path does not serve the bucket (use the SDK). */
  async send(request: SignedRequest): Promise<SignedAnswer | undefined> {
    const target = await this.target(request.bucket);
    if (target === undefined) return undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt(target, request);
      } catch (e) {
        const mapped = toStorageError(e, request.bucket, request.key);
        if (attempt + 1 >= this.config.maxAttempts || !isStorageError(mapped) || !mapped.retryable) throw e;
        const base = THROTTLING_CODES.includes(mapped.code) || mapped.httpStatus === 429 ? 500 : 100;
        await sleep(Math.floor(this.random() * Math.min(20_000, base * 2 ** attempt)));
      }
    }
  }

  private async attempt(target: BucketTarget, request: SignedRequest): Promise<SignedAnswer> {
    const path = `${target.basePath}/${encodeKey(request.key)}`;
    const query = request.query ?? {};
    const headers = await target.signer.sign({
      method: request.method,
      path,
      query,
      headers: { ...request.headers, host: target.host, "x-amz-content-sha256": EMPTY_PAYLOAD_SHA256 },
    });
    const search = Object.entries(query)
      .map(([k, v]) => `${encodeRfc3986(k)}=${encodeRfc3986(v)}`)
      .join("&");
    const answer = await this.exchange(target, request.method, search ? `${path}?${search}` : path, headers);
    const failure = answerError(answer);
    if (failure) throw failure;
    return answer;
  }

  /** One HTTP exchange on the shared agents, with the connect and idle timeouts of client.ts. */
  private exchange(
    target: BucketTarget,
    method: string,
    path: string,
    headers: Record<string, string>,
  ): Promise<SignedAnswer> {
    const { connectTimeoutMs, idleTimeoutMs } = this.config;
    const https_ = target.protocol === "https:";
    return new Promise((resolve, reject) => {
      const req = (https_ ? https : http).request(
        {
          method,
          hostname: target.hostname,
          port: target.port,
          path,
          headers,
          agent: https_ ? this.agents.https : this.agents.http,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString("utf8"),
            }),
          );
        },
      );
      req.on("error", reject);
      req.on("socket", (socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(
          () => req.destroy(timeoutError(`Socket connection timeout after ${connectTimeoutMs} ms`)),
          connectTimeoutMs,
        );
        socket.once("connect", () => clearTimeout(timer));
        socket.once("close", () => clearTimeout(timer));
      });
      req.setTimeout(idleTimeoutMs, () =>
        req.destroy(timeoutError(`Connection timed out after ${idleTimeoutMs} ms without data`)),
      );
      req.end();
    });
  }

  private target(bucket: string): Promise<BucketTarget | undefined> {
    let target = this.targets.get(bucket);
    if (target === undefined) {
      if (this.targets.size >= MAX_CACHED_BUCKETS) this.targets.clear();
      target = this.resolve(bucket).catch(() => undefined);
      this.targets.set(bucket, target);
    }
    return target;
  }

  /** The bucket's endpoint as the SDK would resolve it; undefined for what only the SDK can do. */
  private async resolve(bucket: string): Promise<BucketTarget | undefined> {
    const sdk = this.client.config;
    const region = await sdk.region();
    const endpoint = sdk.endpointProvider({
      Bucket: bucket,
      Region: region,
      UseFIPS: await sdk.useFipsEndpoint(),
      UseDualStack: await sdk.useDualstackEndpoint(),
      ForcePathStyle: this.config.forcePathStyle ?? false,
      Accelerate: sdk.useAccelerateEndpoint ?? false,
      ...(this.config.endpoint !== undefined ? { Endpoint: this.config.endpoint } : {}),
    });
    const scheme = (
      endpoint.properties?.authSchemes as { name?: string; signingName?: string; signingRegion?: string }[]
    )?.[0];
    if (scheme !== undefined && scheme.name !== "sigv4") return undefined;
    if (endpoint.headers && Object.keys(endpoint.headers).length > 0) return undefined;
    const url = endpoint.url;
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
    return {
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ""),
      port: url.port === "" ? undefined : Number(url.port),
      host: url.host,
      basePath: url.pathname.replace(/\/+$/, ""),
      signer: this.signer(scheme?.signingRegion ?? region, scheme?.signingName ?? "s3"),
    };
  }

  private signer(region: string, service: string): SigV4Signer {
    const id = `${region}/${service}`;
    let signer = this.signers.get(id);
    if (signer === undefined) {
      // S3 signs the path as sent, its key already encoded once (sigv4.ts never encodes the path again).
      signer = new SigV4Signer(region, service, () => this.client.config.credentials());
      this.signers.set(id, signer);
    }
    return signer;
  }
}

/** An error like the SDK's for an answer that failed (a status of 300 or more, or an `<Error>` in a 2xx body). */
export function answerError(answer: SignedAnswer): Error | undefined {
  const { status, body } = answer;
  const inBody = /^\s*(<\?xml[^>]*\?>\s*)?<Error>/.test(body);
  if (status < 300 && !inBody) return undefined;
  const code = xmlText(body, "Code");
  const message = xmlText(body, "Message");
  // Without an S3 error body (HEAD, a proxy's HTML page) the SDK has no code either: errors.ts picks it by status.
  const name = code ?? "UnknownError";
  return Object.assign(new Error(message ?? name), {
    name,
    ...(code !== undefined ? { Code: code } : {}),
    $fault: status >= 500 ? "server" : "client",
    $metadata: {
      httpStatusCode: status,
      requestId: answer.headers["x-amz-request-id"],
      extendedRequestId: answer.headers["x-amz-id-2"],
    },
  });
}

/** The text of the first `<tag>` element of a small XML document, entities decoded. */
export function xmlText(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return match ? decodeEntities(match[1]!) : undefined;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (whole, name: string) => {
    if (name[0] !== "#") return ENTITIES[name.toLowerCase()] ?? whole;
    const code = name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** A key in a request path: each `/`-separated segment encoded, as the SDK sends `{Key+}`. */
export function encodeKey(key: string): string {
  return key.split("/").map(encodeRfc3986).join("/");
}

function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { name: "TimeoutError", code: "ETIMEDOUT" });
}
