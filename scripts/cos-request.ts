/**
 * A tiny COS-signed request client for trying objbatch by hand:
 *   npm run -s cos -- POST /jobs --body job.xml
 *   npm run -s cos -- GET '/jobs?jobStatuses=Active&maxResults=10'
 * Credentials: OBJBATCH_ACCOUNT_ID / OBJBATCH_ACCESS_KEY / OBJBATCH_SECRET_KEY, else ./data/root-credentials.json.
 * Endpoint: --endpoint or OBJBATCH_ENDPOINT, default http://127.0.0.1:8080. Signed by cos-nodejs-sdk-v5.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import COS from "cos-nodejs-sdk-v5";

function usage(): never {
  process.stderr.write("usage: cos-request METHOD PATH [--body FILE] [--endpoint URL] [--data-dir DIR]\n");
  process.exit(2);
}

const args = process.argv.slice(2);
const [method, target] = args;
if (!method || !target) usage();
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const endpoint = option("--endpoint") ?? process.env.OBJBATCH_ENDPOINT ?? "http://127.0.0.1:8080";
const dataDir = option("--data-dir") ?? process.env.OBJBATCH_DATA_DIR ?? "./data";
const bodyFile = option("--body");

let accountId = process.env.OBJBATCH_ACCOUNT_ID;
let secretId = process.env.OBJBATCH_ACCESS_KEY;
let secretKey = process.env.OBJBATCH_SECRET_KEY;
const saved = join(dataDir, "root-credentials.json");
if ((!secretId || !secretKey) && existsSync(saved)) {
  const creds = JSON.parse(readFileSync(saved, "utf8"));
  accountId ??= creds.accountId;
  secretId = creds.accessKeyId;
  secretKey = creds.secretAccessKey;
}
if (!accountId || !secretId || !secretKey) {
  process.stderr.write("cos-request: no credentials (set OBJBATCH_ACCOUNT_ID/ACCESS_KEY/SECRET_KEY)\n");
  process.exit(2);
}

const url = new URL(target, endpoint);
const query = Object.fromEntries(url.searchParams);
const body = bodyFile ? readFileSync(bodyFile, "utf8") : undefined;
const headers: Record<string, string> = { host: url.host, "x-cos-appid": accountId };
if (body !== undefined) headers["content-type"] = "application/xml";
const authorization = COS.getAuthorization({
  SecretId: secretId,
  SecretKey: secretKey,
  Method: method.toUpperCase() as "GET",
  Pathname: url.pathname,
  Query: query,
  Headers: headers,
});
const { host: _host, ...sent } = headers;
const response = await fetch(url, { method: method.toUpperCase(), headers: { ...sent, authorization }, body });
const text = await response.text();
process.stdout.write(`${text}${text.endsWith("\n") ? "" : "\n"}`);
if (!response.ok) {
  process.stderr.write(`HTTP ${response.status}\n`);
  process.exit(1);
}
