/**
 * An Alibaba OSS client for tests, signed by the official `ali-oss` package, never by objbatch's own code:
 *
 * - `ossRequest` signs offline with ali-oss's signUtils (V1 `authorization`, V4 `authorizationV4`) and sends
 *   over real HTTP with fetch, so a test can choose the signing time or tamper with the request after signing;
 * - `ossSdkRequest` goes through ali-oss's own HTTP client (`client.request`), exactly as an application would.
 *
 * Answers are parsed with fast-xml-parser directly, independent of objbatch's codec.
 */
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import OSS from "ali-oss";
import { XMLParser } from "fast-xml-parser";
import { ROOT } from "./app.js";

export interface OssCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

export const ROOT_OSS: OssCredentials = { accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.secretAccessKey };

export interface OssResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: parsed XML of any shape
  readonly xml: any;
}

export interface OssCall {
  readonly method?: string;
  /** The sub-resource (`batchJob`, `batchJobPriority`, `batchJobStatus`); leave out for none. */
  readonly subres?: string;
  readonly query?: Record<string, string>;
  readonly body?: string | Uint8Array;
  readonly headers?: Record<string, string>;
  readonly credentials?: OssCredentials;
  /** Sign with OSS4-HMAC-SHA256 instead of V1. */
  readonly v4?: boolean;
  /** The V4 signing region (ali-oss style, `oss-cn-hangzhou`). */
  readonly region?: string;
  /** V4 AdditionalHeaders to sign. */
  readonly additionalHeaders?: string[];
  /** The signing time (default now). */
  readonly date?: Date;
  /** V1 only: send the time in `Date` (OSS's classic V1) instead of `x-oss-date` (what ali-oss sends). */
  readonly useDateHeader?: boolean;
  /**
   * V1 only: sign every query parameter, not just the sub-resource (what ali-oss does when they are all passed in
   * `subres`). Two different requests then never share a signature, so none is refused as a replay.
   */
  readonly v1AllParameters?: boolean;
  /** Send no Authorization header. */
  readonly unsigned?: boolean;
  /** Applied after signing (to tamper with the request). */
  readonly afterSigning?: (url: URL, headers: Record<string, string>) => void;
}

interface SignUtils {
  buildCanonicalString(method: string, resource: string, request: object, expires?: string): string;
  authorization(accessKeyId: string, secret: string, canonicalString: string): string;
  authorizationV4(
    accessKeyId: string,
    secret: string,
    region: string,
    method: string,
    request: { headers: Record<string, string>; queries: Record<string, string | null> },
    bucket?: string,
    object?: string,
    additionalHeaders?: string[],
  ): string;
}

const signUtils = createRequire(import.meta.url)("ali-oss/lib/common/signUtils.js") as SignUtils;

const parser = new XMLParser({
  parseTagValue: false,
  ignoreDeclaration: true,
  isArray: (name) => name === "JobListDescriptor" || name === "Tag" || name === "JobFailure",
});

export function parseXml(text: string) {
  return text ? parser.parse(text) : undefined;
}

/** `yyyymmddTHHMMSSZ`, V4's x-oss-date. */
export function isoBasic(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
}

/** The URL and headers of a request signed with ali-oss's signUtils (`host` is for signing only). */
export function ossSign(baseUrl: string, call: OssCall = {}): { url: URL; headers: Record<string, string> } {
  const method = call.method ?? "GET";
  const credentials = call.credentials ?? ROOT_OSS;
  const date = call.date ?? new Date();
  const headers: Record<string, string> =
    call.useDateHeader && !call.v4
      ? { date: date.toUTCString() }
      : {
          "x-oss-date": call.v4 ? isoBasic(date) : date.toUTCString(),
          ...(call.v4 ? { "x-oss-content-sha256": "UNSIGNED-PAYLOAD" } : {}),
        };
  if (call.body !== undefined) {
    headers["content-type"] = "application/xml";
    headers["content-md5"] = createHash("md5").update(call.body).digest("base64");
  }
  Object.assign(headers, call.headers);
  const url = new URL("/", baseUrl);
  const search = new URLSearchParams();
  if (call.subres) search.append(call.subres, "");
  for (const [k, v] of Object.entries(call.query ?? {})) search.append(k, v);
  // `?batchJob` rather than `?batchJob=`, as OSS documents the requests.
  url.search = search.toString().replace(/=(&|$)/g, "$1");

  if (!call.unsigned) {
    if (call.v4) {
      const queries: Record<string, string | null> = { ...(call.query ?? {}) };
      if (call.subres) queries[call.subres] = null;
      if (call.additionalHeaders?.includes("host")) headers.host = url.host;
      headers.authorization = signUtils.authorizationV4(
        credentials.accessKeyId,
        credentials.accessKeySecret,
        (call.region ?? "oss-cn-hangzhou").replace(/^oss-/, ""),
        method,
        { headers, queries },
        undefined,
        undefined,
        call.additionalHeaders,
      );
    } else {
      const subres = call.subres ? { [call.subres]: "" } : {};
      const parameters = call.v1AllParameters ? { ...subres, ...call.query } : subres;
      const canonical = signUtils.buildCanonicalString(
        method,
        "/",
        { headers, parameters: Object.keys(parameters).length > 0 ? parameters : undefined },
        headers.date,
      );
      headers.authorization = signUtils.authorization(credentials.accessKeyId, credentials.accessKeySecret, canonical);
    }
  }
  call.afterSigning?.(url, headers);
  return { url, headers };
}

/** Signs with ali-oss's signUtils and sends the request with fetch. */
export async function ossRequest(baseUrl: string, call: OssCall = {}): Promise<OssResponse> {
  const { url, headers } = ossSign(baseUrl, call);
  const { host: _host, ...sent } = headers;
  const response = await fetch(url, { method: call.method ?? "GET", headers: sent, body: call.body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, xml: parseXml(text) };
}

export interface SdkCall {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  readonly subres: string;
  readonly query?: Record<string, string>;
  readonly body?: string;
  readonly credentials?: OssCredentials;
  readonly v4?: boolean;
}

/** An ali-oss client pointed at objbatch. */
export function ossClient(baseUrl: string, credentials: OssCredentials = ROOT_OSS, v4 = false): OSS {
  return new OSS({
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    endpoint: baseUrl,
    region: "oss-cn-hangzhou",
    authorizationV4: v4,
  });
}

/** Sends a request through ali-oss's own signer and HTTP client (`client.request`). */
export async function ossSdkRequest(baseUrl: string, call: SdkCall): Promise<OssResponse> {
  const client = ossClient(baseUrl, call.credentials, call.v4) as unknown as {
    request(params: object): Promise<{ status: number; headers: Record<string, string>; data: Buffer }>;
  };
  const result = await client.request({
    method: call.method,
    subres: call.subres,
    query: call.query,
    ...(call.body !== undefined ? { content: call.body, headers: { "Content-Type": "application/xml" } } : {}),
  });
  const text = Buffer.from(result.data ?? "").toString("utf8");
  const headers = new Headers();
  for (const [k, v] of Object.entries(result.headers)) headers.set(k, String(v));
  return { status: result.status, headers, text, xml: parseXml(text) };
}

export interface CreateJobBodyOptions {
  /** Leave out ClientRequestToken with `null`. */
  readonly token?: string | null;
  readonly priority?: number;
  /** The inside of `<Operation>`. */
  readonly operation?: string;
  readonly description?: string;
  readonly confirmationRequired?: boolean;
  /** Replaces the whole `<Manifest>` element (e.g. with a KeyPrefixManifestGenerator). */
  readonly manifest?: string;
  readonly report?: string;
}

/**
 * An OSS CreateJob body in the shape the official Go SDK serialises (its own test fixture: PutObjectTagging on
 * a CSV manifest, report enabled), with the parts a test needs changed.
 */
export function ossCreateJobBody(options: CreateJobBodyOptions = {}): string {
  const token = options.token === undefined ? "unique-token-123" : options.token;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    "<CreateJobRequest>",
    options.confirmationRequired !== undefined
      ? `<ConfirmationRequired>${options.confirmationRequired}</ConfirmationRequired>`
      : "",
    `<Operation>${options.operation ?? "<PutObjectTagging><TagSet><Tag><Key>key1</Key><Value>value1</Value></Tag></TagSet></PutObjectTagging>"}</Operation>`,
    options.report ??
      "<Report><Bucket>report-bucket</Bucket><Enabled>true</Enabled><Prefix>batch-reports/</Prefix><ReportScope>AllTasks</ReportScope></Report>",
    token === null ? "" : `<ClientRequestToken>${token}</ClientRequestToken>`,
    options.manifest ??
      "<Manifest><Location><ETag>d41d8cd98f00b204e9800998ecf8427e</ETag><Bucket>manifest-bucket</Bucket><Object>manifest.csv</Object></Location><Spec><Fields>Bucket,Key</Fields><Format>OSS_BatchOperations_CSV_20250611</Format></Spec></Manifest>",
    `<Description>${options.description ?? "批量设置对象标签任务"}</Description>`,
    `<Priority>${options.priority ?? 10}</Priority>`,
    "<RoleArn>acs:ram::1234567890:role/oss-sdk-batch-test</RoleArn>",
    "</CreateJobRequest>",
  ].join("");
}
