/**
 * How the CLI reaches a server: which endpoint and key pair (flags, then OBJBATCH_* environment variables, then
 * the named profile `objbatch login` wrote, each setting on its own), and ApiClient, which sends each request to
 * /api/v1 signed with AWS SigV4 (@smithy/signature-v4, service `objbatch`, D26: the server takes any region and
 * service name) over node:http, and turns every way a request can fail into a CliError that says what went wrong
 * and what to do, with its exit code (exit-codes.ts): the server's problem+json `detail` when it refused, the
 * settings to check when it refused the key or could not be reached.
 */
import { createHash } from "node:crypto";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { SignatureV4 } from "@smithy/signature-v4";
import type { Command } from "commander";
import { CliError, EXIT } from "./exit-codes.js";
import { DEFAULT_PROFILE, type Profile, profilesFile, readProfiles } from "./profiles.js";

export const DEFAULT_ENDPOINT = "http://localhost:8080";
export const API_PATH = "/api/v1";
/** How long a request may wait for the server's answer to start (a preview reads for up to 30 s, D28). */
const ANSWER_TIMEOUT_MS = 90_000;

export interface ConnectionFlags {
  readonly endpoint?: string;
  readonly accessKey?: string;
  readonly secretKey?: string;
  readonly profile?: string;
}

export interface Connection extends Profile {
  /** Where each setting came from, for error messages: "--endpoint", "OBJBATCH_ENDPOINT", "profile default", ... */
  readonly from: { readonly endpoint: string; readonly accessKey: string; readonly secretKey: string };
}

type Env = Readonly<Record<string, string | undefined>>;

/** Adds --endpoint, --access-key, --secret-key and --profile to a command that talks to a server. */
export function withConnectionOptions(command: Command): Command {
  return command
    .option("--endpoint <url>", `the objbatch server (env OBJBATCH_ENDPOINT, default ${DEFAULT_ENDPOINT})`)
    .option("--access-key <id>", "access key id (env OBJBATCH_ACCESS_KEY)")
    .option("--secret-key <secret>", "secret access key (env OBJBATCH_SECRET_KEY)")
    .option("--profile <name>", `a profile saved by objbatch login (default "${DEFAULT_PROFILE}")`);
}

/** The endpoint and keys to use: each from its flag, else its environment variable, else the profile. */
export async function resolveConnection(flags: ConnectionFlags, env: Env = process.env): Promise<Connection> {
  const profileName = flags.profile ?? env.OBJBATCH_PROFILE ?? DEFAULT_PROFILE;
  const file = profilesFile(env);
  const profiles = await readProfiles(file);
  const profile = profiles[profileName];
  if (profile === undefined && (flags.profile !== undefined || env.OBJBATCH_PROFILE !== undefined)) {
    throw new CliError(
      `no profile "${profileName}" in ${file}; run objbatch login --profile ${profileName} to create it` +
        (Object.keys(profiles).length > 0 ? ` (profiles there: ${Object.keys(profiles).join(", ")})` : ""),
    );
  }
  const pick = (flag: string | undefined, flagName: string, envName: string, fromProfile: string | undefined) => {
    if (flag !== undefined && flag !== "") return { value: flag, from: flagName };
    const fromEnv = env[envName];
    if (fromEnv !== undefined && fromEnv !== "") return { value: fromEnv, from: envName };
    if (fromProfile !== undefined) return { value: fromProfile, from: `profile "${profileName}" (${file})` };
    return undefined;
  };
  const endpoint = pick(flags.endpoint, "--endpoint", "OBJBATCH_ENDPOINT", profile?.endpoint) ?? {
    value: DEFAULT_ENDPOINT,
    from: "the default endpoint",
  };
  const accessKey = pick(flags.accessKey, "--access-key", "OBJBATCH_ACCESS_KEY", profile?.accessKey);
  const secretKey = pick(flags.secretKey, "--secret-key", "OBJBATCH_SECRET_KEY", profile?.secretKey);
  if (accessKey === undefined || secretKey === undefined) {
    const missing = accessKey === undefined ? "an access key" : "a secret key";
    throw new CliError(
      `no credentials: objbatch needs ${missing} to sign requests; run objbatch login, set OBJBATCH_ACCESS_KEY ` +
        "and OBJBATCH_SECRET_KEY, or pass --access-key and --secret-key",
    );
  }
  return {
    endpoint: normalEndpoint(endpoint.value, endpoint.from),
    accessKey: accessKey.value,
    secretKey: secretKey.value,
    from: { endpoint: endpoint.from, accessKey: accessKey.from, secretKey: secretKey.from },
  };
}

/** An http(s) URL without a trailing slash; anything else is a usage error naming where it came from. */
export function normalEndpoint(value: string, from: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(
      `the endpoint ${JSON.stringify(value)} (from ${from}) is not a URL; use e.g. ${DEFAULT_ENDPOINT}`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new CliError(`the endpoint ${value} (from ${from}) must be an http:// or https:// URL`);
  }
  if (url.search !== "" || url.hash !== "" || url.username !== "") {
    throw new CliError(`the endpoint ${value} (from ${from}) must be a plain URL, without a query or user`);
  }
  return url.href.replace(/\/+$/, "");
}

export type Query = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface ApiRequest {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Under /api/v1, its segments percent-encoded (jobPath does that). */
  readonly path: string;
  readonly query?: Query;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Sent as they are instead of a JSON body (a manifest's bytes), with their content type. */
  readonly raw?: { readonly bytes: Buffer; readonly contentType: string };
  /** Headers besides the signature's (lower-case names): Accept, Last-Event-ID. Signed with the rest. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A JSON answer: its status, its body as sent (printed by --json) and parsed. */
export interface ApiAnswer {
  readonly status: number;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON; each command reads the fields its schema has
  readonly json: any;
}

/** `/jobs/{id}/...` with the id percent-encoded, whatever the user typed. */
export function jobPath(jobId: string, ...rest: string[]): string {
  return ["/jobs", encodeURIComponent(jobId), ...rest].join("/");
}

export class ApiClient {
  private signer: Promise<SignatureV4> | undefined;
  private readonly base: URL;

  constructor(readonly connection: Connection) {
    this.base = new URL(connection.endpoint);
  }

  /** The signer, its modules loaded at the first request (so --help and usage errors start without them). */
  private signerOnce(): Promise<SignatureV4> {
    this.signer ??= Promise.all([import("@smithy/signature-v4"), import("@smithy/hash-node")]).then(
      ([{ SignatureV4 }, { Hash }]) =>
        new SignatureV4({
          credentials: { accessKeyId: this.connection.accessKey, secretAccessKey: this.connection.secretKey },
          region: "us-east-1",
          service: "objbatch",
          sha256: Hash.bind(null, "sha256"),
          uriEscapePath: true,
          applyChecksum: false,
        }),
    );
    return this.signer;
  }

  /** Sends the request and reads its JSON answer; a problem (or anything else that is not 2xx) is a CliError. */
  async call(request: ApiRequest): Promise<ApiAnswer> {
    const response = await this.open(request);
    const text = await readText(response);
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) {
      if (text === "") return { status, text, json: undefined };
      if (!isJson(response)) throw this.notTheApi(status, response);
      try {
        return { status, text, json: JSON.parse(text) };
      } catch {
        throw this.notTheApi(status, response);
      }
    }
    throw this.failure(status, response, text);
  }

  /** Sends the request and hands back the answer to stream (a results file), once it is known to be a 200. */
  async stream(request: ApiRequest): Promise<IncomingMessage> {
    const response = await this.open(request);
    const status = response.statusCode ?? 0;
    if (status === 200) return response;
    throw this.failure(status, response, await readText(response));
  }

  private async open(request: ApiRequest): Promise<IncomingMessage> {
    const body =
      request.raw?.bytes ?? (request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body)));
    const contentType = request.raw?.contentType ?? "application/json";
    const basePath = this.base.pathname.replace(/\/+$/, "");
    const path = `${basePath}${API_PATH}${request.path}`;
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) query[name] = typeof value === "string" ? value : [...value];
    }
    const signed = await (await this.signerOnce()).sign({
      method: request.method,
      protocol: this.base.protocol,
      hostname: this.base.hostname,
      port: this.base.port === "" ? undefined : Number(this.base.port),
      path,
      query,
      headers: {
        host: this.base.host,
        "x-amz-content-sha256": createHash("sha256")
          .update(body ?? "")
          .digest("hex"),
        accept: "application/json, application/problem+json",
        ...(body !== undefined
          ? { "content-type": contentType, "content-length": String(body.length) }
          : { "content-length": "0" }),
        ...request.headers,
      },
      body,
    });
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      for (const v of typeof value === "string" ? [value] : value) search.append(name, v);
    }
    const qs = search.toString().replace(/\+/g, "%20");
    const send = this.base.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(
        {
          method: request.method,
          hostname: this.base.hostname.replace(/^\[|\]$/g, ""),
          port: this.base.port === "" ? undefined : Number(this.base.port),
          path: qs === "" ? path : `${path}?${qs}`,
          headers: signed.headers,
        },
        resolve,
      );
      req.setTimeout(ANSWER_TIMEOUT_MS, () =>
        req.destroy(Object.assign(new Error("no answer in time"), { code: "ETIMEDOUT" })),
      );
      req.on("error", (e) => reject(this.unreachable(e as NodeJS.ErrnoException)));
      req.end(body);
    });
  }

  private unreachable(e: NodeJS.ErrnoException): CliError {
    const { endpoint, from } = this.connection;
    const why =
      e.code === "ECONNREFUSED"
        ? "nothing is listening there"
        : e.code === "ENOTFOUND" || e.code === "EAI_AGAIN"
          ? "the host name is not known"
          : e.code === "ETIMEDOUT"
            ? "it did not answer in time"
            : (e.code ?? e.message);
    return new CliError(
      `cannot reach objbatch at ${endpoint} (${why}); check that the server is running and the endpoint ` +
        `(from ${from.endpoint}; set it with --endpoint, OBJBATCH_ENDPOINT or objbatch login)`,
      EXIT.unreachable,
    );
  }

  private notTheApi(status: number, response: IncomingMessage): CliError {
    return new CliError(
      `${this.connection.endpoint} answered ${status} (${response.headers["content-type"] ?? "no content type"}), ` +
        `which is not objbatch's API; check the endpoint (from ${this.connection.from.endpoint})`,
      EXIT.serverError,
    );
  }

  private failure(status: number, response: IncomingMessage, text: string): CliError {
    const problem = parseProblem(response, text);
    if (problem === undefined) {
      if (status >= 500) {
        return new CliError(`the server failed (${status}); try again, or see its log`, EXIT.serverError, text);
      }
      return this.notTheApi(status, response);
    }
    const { from, accessKey } = this.connection;
    if (status === 401) {
      return new CliError(
        `the server refused the access key ${accessKey} (${problem.detail}); ${keyAdvice(from.accessKey)}`,
        EXIT.credentials,
        text,
      );
    }
    const fields = (problem.errors ?? []).map((e) => `\n  ${e.pointer}: ${e.detail}`).join("");
    const hint = PROBLEM_HINTS[problem.type.replace(/^urn:objbatch:problem:/, "")];
    const message = `${problem.detail}${fields}${hint === undefined ? "" : `\n${hint}`}`;
    if (status >= 500) {
      const retry = response.headers["retry-after"];
      return new CliError(
        `the server could not answer (${status} ${problem.title}): ${message}` +
          (retry !== undefined ? `; try again in ${retry} s` : ""),
        EXIT.serverError,
        text,
      );
    }
    return new CliError(message, EXIT.refused, text);
  }
}

/** What to check when the server refused the key, by where the key came from. */
function keyAdvice(from: string): string {
  if (from === "OBJBATCH_ACCESS_KEY") return "check OBJBATCH_ACCESS_KEY and OBJBATCH_SECRET_KEY, or run objbatch login";
  if (from === "--access-key") return "check --access-key and --secret-key, or run objbatch login";
  if (from.startsWith("profile")) return `the key of ${from} is refused now; run objbatch login again`;
  return `check the key pair (from ${from}), or run objbatch login`;
}

/** What to do next, for the problems a user meets most. */
const PROBLEM_HINTS: Readonly<Record<string, string>> = {
  "no-such-job": "objbatch jobs list shows the jobs of this access key.",
  "illegal-status-change": "objbatch jobs show ID shows the job's status.",
  "job-finished": "objbatch jobs show ID shows the job's status.",
  "job-not-finished":
    "Only a Complete, Cancelled or Failed job can be deleted or rerun; objbatch jobs watch ID waits for it to end, " +
    "objbatch jobs cancel ID ends it.",
  "no-failed-tasks-report":
    "Its failed tasks are known from its completion report only; objbatch jobs clone ID runs the whole job again.",
  "nothing-to-rerun": "objbatch jobs show ID shows its counts; --scope not-succeeded adds the tasks that never ran.",
};

interface Problem {
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  readonly errors?: readonly { pointer: string; detail: string }[];
}

function parseProblem(response: IncomingMessage, text: string): Problem | undefined {
  if (!/^application\/problem\+json/.test(String(response.headers["content-type"] ?? ""))) return undefined;
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (typeof body.detail !== "string" || typeof body.type !== "string") return undefined;
    return { type: body.type, title: String(body.title ?? ""), detail: body.detail, errors: body.errors };
  } catch {
    return undefined;
  }
}

function isJson(response: IncomingMessage): boolean {
  return /^application\/json/.test(String(response.headers["content-type"] ?? ""));
}

/** The answer's body as text, at most 16 MiB (no JSON answer of the API comes near). */
async function readText(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024 * 1024) {
      response.destroy();
      throw new CliError("the server's answer is larger than any answer of objbatch's API", EXIT.serverError);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
