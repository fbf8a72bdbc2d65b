/**
 * AWS SDK for JavaScript v3 S3 Control clients pointed at a local objbatch, in the two set-ups that work with
 * the SDK's account host prefix (docs/clients-and-servers.md):
 *
 * - `direct`: an endpointProvider that returns the server's URL as is; the server sees `Host: 127.0.0.1:PORT`.
 * - `hostPrefix`: the normal endpoint `http://localhost:PORT`, to which the SDK prepends the account id
 *   (`123456789012.localhost`), and an http.Agent whose DNS lookup answers 127.0.0.1 for every name; the server
 *   sees `Host: <account>.localhost:PORT`, as AWS would.
 *
 * Retries are limited to one attempt so error tests see the server's first answer.
 *
 * `signedCall` sends one raw request signed by @smithy/signature-v4, for what the SDK will not send.
 */
import { createHash } from "node:crypto";
import { Agent } from "node:http";
import type { LookupFunction } from "node:net";
import { S3ControlClient } from "@aws-sdk/client-s3-control";
import { Hash } from "@smithy/hash-node";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { SignatureV4 } from "@smithy/signature-v4";
import { ROOT } from "./app.js";
import { type RawAnswer, rawHttpRequest } from "./raw-http.js";
import { signedParts } from "./sigv4-signing.js";

export interface S3ControlCredentials {
  readonly accountId: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export const ROOT_S3CONTROL: S3ControlCredentials = {
  accountId: ROOT.accountId,
  accessKeyId: ROOT.accessKeyId,
  secretAccessKey: ROOT.secretAccessKey,
};

export type ClientSetup = "direct" | "hostPrefix";

export interface ClientOptions {
  readonly region?: string;
  readonly credentials?: S3ControlCredentials;
  readonly maxAttempts?: number;
}

/** Resolves every host name to 127.0.0.1 (`<account>.localhost` does not resolve on its own). */
const loopbackLookup = ((_hostname: string, options: unknown, callback?: unknown) => {
  const cb = (typeof options === "function" ? options : callback) as (
    err: Error | null,
    address: string | { address: string; family: number }[],
    family?: number,
  ) => void;
  const all = typeof options === "object" && options !== null && (options as { all?: boolean }).all === true;
  if (all) cb(null, [{ address: "127.0.0.1", family: 4 }]);
  else cb(null, "127.0.0.1", 4);
}) as LookupFunction;

export function s3ControlClient(baseUrl: string, setup: ClientSetup, options: ClientOptions = {}): S3ControlClient {
  const credentials = options.credentials ?? ROOT_S3CONTROL;
  const common = {
    region: options.region ?? "us-east-1",
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
    maxAttempts: options.maxAttempts ?? 1,
  };
  if (setup === "direct") {
    return new S3ControlClient({ ...common, endpointProvider: () => ({ url: new URL(baseUrl) }) });
  }
  const port = new URL(baseUrl).port;
  return new S3ControlClient({
    ...common,
    endpoint: `http://localhost:${port}`,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ lookup: loopbackLookup }) }),
  });
}

export interface SignedCall {
  readonly method?: string;
  /** Path in origin form, percent-encoded as it is to be sent (`/v20180820/jobs`). */
  readonly path: string;
  readonly query?: Record<string, string | string[]>;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  readonly credentials?: S3ControlCredentials;
  readonly region?: string;
  /** The Host header to sign and send (default `127.0.0.1:PORT`). */
  readonly host?: string;
  /** Send the request line in absolute form (`POST http://host/path HTTP/1.1`), as clients do via a proxy. */
  readonly absoluteForm?: boolean;
  /** Sign as a presigned URL valid this many seconds instead of with an Authorization header. */
  readonly presignSeconds?: number;
  readonly signingDate?: Date;
  /** Leave out x-amz-content-sha256 (the body hash is then part of the signature only). */
  readonly noPayloadHashHeader?: boolean;
  /** Send the body with Transfer-Encoding: chunked instead of a Content-Length. */
  readonly chunked?: boolean;
  /** Leave out x-amz-account-id. */
  readonly noAccountId?: boolean;
  readonly unsigned?: boolean;
  /** Changes the request after signing (to tamper with it). */
  readonly afterSigning?: (request: { path: string; headers: Record<string, string>; body: Buffer }) => void;
}

export type { RawAnswer };

/**
 * One request signed by @smithy/signature-v4 (independently of objbatch's verifier) and sent with node:http,
 * so that the Host header, the request-line form and the body are exactly what the test says.
 */
export async function signedCall(baseUrl: string, call: SignedCall): Promise<RawAnswer> {
  const base = new URL(baseUrl);
  const credentials = call.credentials ?? ROOT_S3CONTROL;
  const body = call.body === undefined ? Buffer.alloc(0) : Buffer.from(call.body);
  const host = call.host ?? base.host;
  const headers: Record<string, string> = {
    host,
    ...(call.noAccountId ? {} : { "x-amz-account-id": credentials.accountId }),
    ...(call.noPayloadHashHeader || call.presignSeconds !== undefined
      ? {}
      : { "x-amz-content-sha256": createHash("sha256").update(body).digest("hex") }),
    ...(body.length > 0 && !call.chunked ? { "content-length": String(body.length) } : {}),
    ...call.headers,
  };
  const signer = new SignatureV4({
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
    region: call.region ?? "us-east-1",
    service: "s3",
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: false,
    applyChecksum: !call.noPayloadHashHeader,
  });
  const request = {
    method: call.method ?? "GET",
    protocol: "http:",
    hostname: host.split(":")[0]!,
    path: call.path,
    query: call.query ?? {},
    headers,
    body: body.length > 0 ? body : undefined,
  };
  const { headers: signedHeaders, queryString } = await signedParts(signer, request, call);
  // URLSearchParams writes spaces as "+"; SigV4 canonical form and objbatch both read "+" as a space.
  const qs = queryString;
  const sent = {
    path: qs === "" ? call.path : `${call.path}?${qs}`,
    headers: { ...signedHeaders, ...(call.chunked ? { "transfer-encoding": "chunked" } : {}) },
    body,
  };
  call.afterSigning?.(sent);
  const requestPath = call.absoluteForm ? `http://${host}${sent.path}` : sent.path;
  return rawHttpRequest(
    { host: base.hostname, port: base.port },
    { method: request.method, path: requestPath, headers: sent.headers },
    (req) => {
      if (call.chunked) {
        // Two chunks, so the body really arrives in pieces.
        const half = Math.floor(sent.body.length / 2);
        req.write(sent.body.subarray(0, half));
        req.end(sent.body.subarray(half));
      } else {
        req.end(sent.body);
      }
    },
  );
}
