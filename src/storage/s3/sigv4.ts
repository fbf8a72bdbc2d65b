/**
 * AWS Signature Version 4 for the lean path's requests (signed-requests.ts), with node:crypto alone: the
 * canonical request's SHA-256 and one HMAC of the string to sign per request, the signing key derived once per
 * day, region, service and key pair. It produces exactly the headers @smithy/signature-v4 produces for the same
 * request (test/storage/s3/sigv4.test.ts signs with both and compares), at about half its CPU: that signer also
 * HMACs the key pair on every request to find its cached signing key, and awaits a promise per hash.
 *
 * What it signs is what the lean path sends: a path already encoded as S3 wants it (not encoded again), a query
 * of single values, headers with lower-case names, and a payload hash in `x-amz-content-sha256`.
 */
import { createHash, createHmac } from "node:crypto";
import { encodeRfc3986 } from "../../rfc3986.js";

export interface RequestToSign {
  readonly method: string;
  /** The path as sent, each key segment encoded once. */
  readonly path: string;
  /** Names and values as they are, encoded here. */
  readonly query: Readonly<Record<string, string>>;
  /** Lower-case names; must hold `host` and `x-amz-content-sha256`. */
  readonly headers: Readonly<Record<string, string>>;
}

/** What the SDK client's credentials provider answers. */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

const ALGORITHM = "AWS4-HMAC-SHA256";

/** Headers never signed (as @smithy/signature-v4: a proxy or the client may change them on the way). */
const UNSIGNABLE = new Set([
  "authorization",
  "cache-control",
  "connection",
  "expect",
  "from",
  "keep-alive",
  "max-forwards",
  "pragma",
  "referer",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "user-agent",
  "x-amzn-trace-id",
]);
/** Headers the signature sets itself: a value the caller gave is dropped. */
const GENERATED = new Set(["authorization", "x-amz-date", "date"]);

export class SigV4Signer {
  private key: { readonly id: string; readonly value: Buffer } | undefined;

  constructor(
    private readonly region: string,
    private readonly service: string,
    private readonly credentials: () => Promise<SigningCredentials>,
  ) {}

  /** The headers to send: the request's, with `x-amz-date`, the session token if any, and `authorization`. */
  async sign(request: RequestToSign, now: Date = new Date()): Promise<Record<string, string>> {
    const credentials = await this.credentials();
    const longDate = `${now.toISOString().slice(0, 19).replace(/[-:]/g, "")}Z`;
    const shortDate = longDate.slice(0, 8);
    const headers: Record<string, string> = {};
    for (const name in request.headers) if (!GENERATED.has(name)) headers[name] = request.headers[name]!;
    headers["x-amz-date"] = longDate;
    if (credentials.sessionToken) headers["x-amz-security-token"] = credentials.sessionToken;

    const names = Object.keys(headers)
      .filter((name) => !UNSIGNABLE.has(name) && !name.startsWith("proxy-") && !name.startsWith("sec-"))
      .sort();
    let canonicalHeaders = "";
    for (const name of names) canonicalHeaders += `${name}:${canonicalValue(headers[name]!)}\n`;
    const signedHeaders = names.join(";");
    const canonicalRequest = `${request.method}\n${request.path}\n${canonicalQuery(request.query)}\n${canonicalHeaders}\n${signedHeaders}\n${headers["x-amz-content-sha256"]}`;
    const scope = `${shortDate}/${this.region}/${this.service}/aws4_request`;
    const stringToSign = `${ALGORITHM}\n${longDate}\n${scope}\n${createHash("sha256").update(canonicalRequest).digest("hex")}`;
    const signature = createHmac("sha256", this.signingKey(credentials, shortDate)).update(stringToSign).digest("hex");
    headers.authorization = `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return headers;
  }

  /** The day's signing key for these credentials, derived again only when the day or the credentials change. */
  private signingKey(credentials: SigningCredentials, shortDate: string): Buffer {
    const id = `${shortDate}\n${credentials.accessKeyId}\n${credentials.secretAccessKey}\n${credentials.sessionToken}`;
    if (this.key?.id !== id) {
      let key: string | Buffer = `AWS4${credentials.secretAccessKey}`;
      for (const part of [shortDate, this.region, this.service, "aws4_request"]) {
        key = createHmac("sha256", key).update(part).digest();
      }
      this.key = { id, value: key as Buffer };
    }
    return this.key.value;
  }
}

/** A header's value as SigV4 signs it: line breaks and runs of blanks as one space, one space trimmed at each end. */
function canonicalValue(value: string): string {
  return value
    .replace(/[\r\n]/g, " ")
    .replace(/[ \t]+/g, " ")
    .replace(/^ | $/g, "");
}

/** The query as SigV4 signs it: names and values encoded as S3 wants them (RFC 3986), sorted by encoded name. */
function canonicalQuery(query: Readonly<Record<string, string>>): string {
  const pairs: [string, string][] = [];
  for (const name in query) {
    if (name.toLowerCase() === "x-amz-signature") continue;
    pairs.push([encodeRfc3986(name), encodeRfc3986(query[name]!)]);
  }
  if (pairs.length === 0) return "";
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join("&");
}
