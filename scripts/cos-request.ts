/**
 * A tiny COS-signed request client for trying objbatch by hand:
 *   npm run -s cos -- POST /jobs --body job.xml
 *   npm run -s cos -- GET '/jobs?jobStatuses=Active&maxResults=10'
 * Endpoint: --endpoint, else OBJBATCH_ENDPOINT, else http://127.0.0.1:$PORT (PORT defaults to 8080, as for
 * objbatch serve). Credentials: OBJBATCH_ACCOUNT_ID / OBJBATCH_ACCESS_KEY / OBJBATCH_SECRET_KEY, else the root
 * key objbatch keeps in <data dir>/root-credentials.json (--data-dir, else OBJBATCH_DATA_DIR, else ./data).
 * Signed by cos-nodejs-sdk-v5; a body goes with its Content-MD5, as the COS SDKs send it.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import COS from "cos-nodejs-sdk-v5";

const USAGE = "usage: npm run -s cos -- METHOD PATH [--body FILE] [--endpoint URL] [--data-dir DIR]";
/** The root account id objbatch serve uses when OBJBATCH_ACCOUNT_ID is unset (config.ts). */
const DEFAULT_ROOT_ACCOUNT_ID = "100000000001";

function fail(message: string, status = 2): never {
  process.stderr.write(`cos-request: ${message}\n`);
  process.exit(status);
}

const args = process.argv.slice(2);
const [method, target] = args;
if (!method || !target || method.startsWith("-") || target.startsWith("-")) fail(USAGE);
const option = (name: string) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined) fail(`${name} needs a value\n${USAGE}`);
  return value;
};

const endpoint =
  option("--endpoint") ?? process.env.OBJBATCH_ENDPOINT ?? `http://127.0.0.1:${process.env.PORT || 8080}`;
const dataDir = resolve(option("--data-dir") ?? (process.env.OBJBATCH_DATA_DIR || "./data"));
const bodyFile = option("--body");

interface Credentials {
  readonly accountId: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Where they came from, for messages. */
  readonly source: string;
}

/** The credentials from the environment, else from the root key file objbatch keeps in its data dir. */
function credentials(): Credentials {
  const { OBJBATCH_ACCOUNT_ID: accountId, OBJBATCH_ACCESS_KEY: accessKeyId, OBJBATCH_SECRET_KEY: secret } = process.env;
  if (accessKeyId || secret) {
    if (!accessKeyId || !secret) {
      fail(`OBJBATCH_${accessKeyId ? "SECRET" : "ACCESS"}_KEY is not set: export both keys objbatch serve was given`);
    }
    return {
      accountId: accountId || DEFAULT_ROOT_ACCOUNT_ID,
      accessKeyId,
      secretAccessKey: secret,
      source: "OBJBATCH_ACCESS_KEY/OBJBATCH_SECRET_KEY",
    };
  }
  const file = join(dataDir, "root-credentials.json");
  if (!existsSync(file)) {
    fail(
      "no credentials to sign with. Export the ones objbatch serve was started with in this shell too:\n" +
        "  export OBJBATCH_ACCOUNT_ID=... OBJBATCH_ACCESS_KEY=... OBJBATCH_SECRET_KEY=...\n" +
        `or, if objbatch made its own root key, point to its data dir (--data-dir or OBJBATCH_DATA_DIR): ${file} does not exist`,
    );
  }
  let saved: Partial<Record<"accountId" | "accessKeyId" | "secretAccessKey", unknown>>;
  try {
    saved = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    fail(`cannot read ${file}: ${(e as Error).message}`);
  }
  const { accountId: savedAccount, accessKeyId: savedKey, secretAccessKey: savedSecret } = saved;
  if (typeof savedAccount !== "string" || typeof savedKey !== "string" || typeof savedSecret !== "string") {
    fail(`${file} lacks accountId, accessKeyId or secretAccessKey`);
  }
  return {
    accountId: accountId || savedAccount,
    accessKeyId: savedKey,
    secretAccessKey: savedSecret,
    source: file,
  };
}

const creds = credentials();
let url: URL;
try {
  url = new URL(target, endpoint);
} catch {
  fail(`not a URL: ${endpoint} (set OBJBATCH_ENDPOINT to objbatch's http://host:port)`);
}
const body = bodyFile ? readFileSync(bodyFile, "utf8") : undefined;
const headers: Record<string, string> = { host: url.host, "x-cos-appid": creds.accountId };
if (body !== undefined) {
  headers["content-type"] = "application/xml";
  headers["content-md5"] = createHash("md5").update(body).digest("base64");
}
const authorization = COS.getAuthorization({
  SecretId: creds.accessKeyId,
  SecretKey: creds.secretAccessKey,
  Method: method.toUpperCase() as "GET",
  Pathname: url.pathname,
  Query: Object.fromEntries(url.searchParams),
  Headers: headers,
});
const { host: _host, ...sent } = headers;

let response: Response;
try {
  response = await fetch(url, { method: method.toUpperCase(), headers: { ...sent, authorization }, body });
} catch (e) {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  fail(
    `cannot reach objbatch at ${url.origin} (${cause?.code ?? cause?.message ?? (e as Error).message}): is it running? ` +
      "Set OBJBATCH_ENDPOINT (or PORT) to where it listens",
    1,
  );
}
const text = await response.text();
process.stdout.write(`${text}${text.endsWith("\n") ? "" : "\n"}`);
if (!response.ok) {
  const hint =
    response.status === 403 ? ` (signed as account ${creds.accountId} with the key from ${creds.source})` : "";
  fail(`HTTP ${response.status}${hint}`, 1);
}
