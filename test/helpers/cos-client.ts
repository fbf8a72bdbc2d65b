/**
 * A COS client for tests: requests signed by the official cos-nodejs-sdk-v5 signer (COS.getAuthorization),
 * sent over real HTTP with fetch, or with node:http for a caller that sends many (the benches). Answers are parsed
 * with fast-xml-parser, independent of objbatch's codec.
 */
import { createHash } from "node:crypto";
import http from "node:http";
import COS from "cos-nodejs-sdk-v5";
import { XMLParser } from "fast-xml-parser";
import { ROOT } from "./app.js";

export interface CosCredentials {
  readonly appId: string;
  readonly secretId: string;
  readonly secretKey: string;
}

export const ROOT_COS: CosCredentials = {
  appId: ROOT.accountId,
  secretId: ROOT.accessKeyId,
  secretKey: ROOT.secretAccessKey,
};

export interface CosResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: parsed XML of any shape
  readonly xml: any;
  /** Milliseconds from sending the signed request to the answer's last byte: signing and parsing left out. */
  readonly ms: number;
}

const parser = new XMLParser({ parseTagValue: false, ignoreDeclaration: true, isArray: (name) => name === "member" });

export async function cosRequest(
  baseUrl: string,
  method: "GET" | "POST" | "DELETE" | "PUT",
  path: string,
  options: {
    query?: Record<string, string>;
    body?: string;
    credentials?: CosCredentials;
    headers?: Record<string, string>;
    /** False leaves the answer unparsed (xml undefined), for a caller that times many requests. */
    parse?: boolean;
    /**
     * "http" sends through node:http on a keep-alive agent instead of fetch: about half the client's CPU per
     * request, which a bench's clients take from the server they share the cores with (D53).
     */
    transport?: "fetch" | "http";
  } = {},
): Promise<CosResponse> {
  const credentials = options.credentials ?? ROOT_COS;
  const url = new URL(path, baseUrl);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = {
    host: url.host,
    "x-cos-appid": credentials.appId,
    // A body goes with its Content-MD5, signed, as the COS SDKs send it: objbatch binds a COS signature to the
    // body it first came with, and only a signed digest makes two bodies signed in the same second differ.
    ...(options.body !== undefined
      ? {
          "content-type": "application/xml",
          "content-md5": createHash("md5").update(options.body).digest("base64"),
        }
      : {}),
    ...options.headers,
  };
  const authorization = COS.getAuthorization({
    SecretId: credentials.secretId,
    SecretKey: credentials.secretKey,
    Method: method,
    Pathname: url.pathname,
    Query: options.query ?? {},
    Headers: headers,
  });
  const { host: _host, ...sent } = headers;
  const sentAt = performance.now();
  const send = options.transport === "http" ? sendHttp : sendFetch;
  const { status, headers: answered, text } = await send(url, method, { ...sent, authorization }, options.body);
  const ms = performance.now() - sentAt;
  const xml = text && options.parse !== false ? parser.parse(text) : undefined;
  return { status, headers: answered, text, xml, ms };
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

async function sendFetch(url: URL, method: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const response = await fetch(url, { method, headers, body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const keepAlive = new http.Agent({ keepAlive: true });

function sendHttp(url: URL, method: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const length = body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers: { ...headers, ...length }, agent: keepAlive }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const answered = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) answered.append(name, v);
        }
        resolve({ status: res.statusCode ?? 0, headers: answered, text: Buffer.concat(chunks).toString("utf8") });
      });
    });
    request.on("error", reject);
    request.end(body);
  });
}
