/**
 * A minimal COS client for route tests: each request is signed by the official SDK's signer
 * (COS.getAuthorization) and sent over real HTTP with fetch; answers are parsed with fast-xml-parser directly,
 * independent of objbatch's own XML code.
 */
import { createHash } from "node:crypto";
import COS from "cos-nodejs-sdk-v5";
import { XMLParser } from "fast-xml-parser";

export interface Credentials {
  readonly appId: string;
  readonly secretId: string;
  readonly secretKey: string;
}

export interface CosAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: parsed XML of any shape
  readonly xml: any;
}

export interface CosCall {
  readonly query?: Record<string, string | string[]>;
  readonly body?: string | Uint8Array;
  readonly headers?: Record<string, string>;
  readonly credentials?: Credentials;
  /** Leave out the x-cos-appid header. */
  readonly noAppId?: boolean;
  /**
   * Send a body without a signed Content-MD5. By default a body goes with its Content-MD5, signed, as the COS
   * SDKs send it: a COS signature covers the body only through that header.
   */
  readonly noContentMd5?: boolean;
  /** Send no Authorization header. */
  readonly unsigned?: boolean;
  readonly keyTime?: string;
  /** Applied to the URL after signing (to tamper with it). */
  readonly afterSigning?: (url: URL, headers: Record<string, string>) => void;
}

const parser = new XMLParser({ parseTagValue: false, ignoreDeclaration: true, isArray: (name) => name === "member" });

export async function cosCall(
  baseUrl: string,
  credentials: Credentials,
  method: string,
  path: string,
  call: CosCall = {},
): Promise<CosAnswer> {
  const creds = call.credentials ?? credentials;
  const url = new URL(path, baseUrl);
  for (const [k, v] of Object.entries(call.query ?? {})) {
    for (const value of Array.isArray(v) ? v : [v]) url.searchParams.append(k, value);
  }
  const headers: Record<string, string> = {
    host: url.host,
    ...(call.noAppId ? {} : { "x-cos-appid": creds.appId }),
    ...(call.body !== undefined && !call.noContentMd5
      ? { "content-md5": createHash("md5").update(call.body).digest("base64") }
      : {}),
    ...call.headers,
  };
  if (!call.unsigned) {
    headers.authorization = COS.getAuthorization({
      SecretId: creds.secretId,
      SecretKey: creds.secretKey,
      Method: method as COS.Method,
      Pathname: decodeURIComponent(url.pathname),
      // The SDK signs an array as its values joined by commas; objbatch reads repeated keys the same way.
      Query: (call.query ?? {}) as Record<string, string>,
      Headers: headers,
      ...(call.keyTime ? { KeyTime: call.keyTime } : {}),
    });
  }
  call.afterSigning?.(url, headers);
  const { host: _host, ...sent } = headers;
  const response = await fetch(url, { method, headers: sent, body: call.body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, xml: text ? parser.parse(text) : undefined };
}
