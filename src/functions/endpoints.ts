/**
 * Which HTTP endpoint answers for which function. InvokeFunction jobs (AWS LambdaInvoke) name a FunctionArn;
 * objbatch calls only the endpoints its operator configured for those ARNs, never a URL taken from a job, so a
 * job cannot make objbatch send requests to arbitrary hosts (SSRF).
 *
 * In the config file:
 *   "functions": {
 *     "arn:aws:lambda:us-east-1:123456789012:function:thumbnail": "http://127.0.0.1:9000/thumbnail",
 *     "arn:aws:lambda:us-east-1:123456789012:function:slow": { "url": "http://10.0.0.5/slow", "timeoutMs": 300000 }
 *   }
 * A job's FunctionArn matches an entry exactly; a qualified ARN (`...:function:name:alias`, `:3`, `:$LATEST`)
 * without an entry of its own falls back to the unqualified one.
 *
 * The map is plain data, so it crosses to the engine's worker threads as it is. FUNCTION_ENDPOINTS_SCHEMA gives
 * its shape (the config file is checked against it at start, config.ts); parseFunctionEndpoints checks the rest.
 * The lookup a task makes is endpoint-for.ts, apart, so the runner threads never load the schema language.
 */
import { Type } from "typebox";

export interface FunctionEndpoint {
  /** http: or https: URL the batch request is POSTed to. */
  readonly url: string;
  /** How long one invocation may take, response body included. */
  readonly timeoutMs: number;
}

export type FunctionEndpoints = Readonly<Record<string, FunctionEndpoint>>;

export const DEFAULT_FUNCTION_TIMEOUT_MS = 60_000;
/** AWS Lambda's own upper bound on a function's run time. */
export const MAX_FUNCTION_TIMEOUT_MS = 15 * 60_000;

const URL_SCHEMA = Type.String({
  minLength: 1,
  title: "URL",
  description: "The http: or https: URL the batch request is POSTed to.",
});

export const FUNCTION_ENDPOINTS_SCHEMA = Type.Record(
  Type.String(),
  Type.Union([
    URL_SCHEMA,
    Type.Object(
      {
        url: URL_SCHEMA,
        timeoutMs: Type.Optional(
          Type.Integer({
            minimum: 1,
            maximum: MAX_FUNCTION_TIMEOUT_MS,
            description: `How long one invocation may take (default ${DEFAULT_FUNCTION_TIMEOUT_MS} ms).`,
          }),
        ),
      },
      { additionalProperties: false, title: "object with url and timeoutMs" },
    ),
  ]),
  {
    title: "map of function ARNs to endpoints",
    description: "FunctionArn -> the URL InvokeFunction jobs call for it, or { url, timeoutMs }.",
  },
);

/** Reads the config file's `functions` map; throws an Error saying which entry is wrong. */
export function parseFunctionEndpoints(raw: unknown): FunctionEndpoints {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new Error('"functions" must be an object mapping function ARNs to endpoint URLs');
  }
  const out: Record<string, FunctionEndpoint> = {};
  for (const [arn, value] of Object.entries(raw as Record<string, unknown>)) {
    if (arn.trim() === "") throw new Error('"functions" has an empty function ARN');
    const entry = typeof value === "string" ? { url: value } : value;
    if (typeof entry !== "object" || entry === null || typeof (entry as { url?: unknown }).url !== "string") {
      throw new Error(`functions[${JSON.stringify(arn)}] must be a URL or an object with "url" (and "timeoutMs")`);
    }
    const { url, timeoutMs } = entry as { url: string; timeoutMs?: unknown };
    out[arn] = { url: checkUrl(arn, url), timeoutMs: checkTimeout(arn, timeoutMs) };
  }
  return out;
}

function checkUrl(arn: string, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`functions[${JSON.stringify(arn)}]: ${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new Error(`functions[${JSON.stringify(arn)}]: the endpoint must be an http: or https: URL, got ${url}`);
  }
  if (parsed.username !== "" || parsed.password !== "") {
    throw new Error(`functions[${JSON.stringify(arn)}]: the endpoint URL must not carry credentials`);
  }
  return parsed.href;
}

function checkTimeout(arn: string, timeoutMs: unknown): number {
  if (timeoutMs === undefined) return DEFAULT_FUNCTION_TIMEOUT_MS;
  if (
    typeof timeoutMs !== "number" ||
    !Number.isInteger(timeoutMs) ||
    timeoutMs < 1 ||
    timeoutMs > MAX_FUNCTION_TIMEOUT_MS
  ) {
    throw new Error(
      `functions[${JSON.stringify(arn)}].timeoutMs must be an integer from 1 to ${MAX_FUNCTION_TIMEOUT_MS}`,
    );
  }
  return timeoutMs;
}
