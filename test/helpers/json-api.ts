/**
 * The JSON API (/api/v1) over real HTTP for tests: the whole server (buildServer, every dialect beside it) on a
 * real job store, with the engine off; a client that signs each request with @smithy/signature-v4 (independently
 * of objbatch's verifier) under any region and service name, sends it with node:http, and checks every answer
 * against the server's own OpenAPI document: the status must be documented for the route, the media type too,
 * and a JSON body must match the documented schema (ajv, JSON Schema 2020-12 with formats).
 */
import { createHash } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { pino } from "pino";
import { type Account, StaticAccountRegistry } from "../../src/accounts/types.js";
import type { SessionPolicy } from "../../src/api/json/sessions/session-policy.js";
import type { ConsoleSessionStore } from "../../src/api/json/sessions/session-store.js";
import { buildServer } from "../../src/api/server.js";
import { JobPreviewer } from "../../src/preview/job-preview.js";
import { ScheduleService } from "../../src/schedules/schedule-service.js";
import { JobEvents } from "../../src/service/job-events.js";
import { JobService } from "../../src/service/job-service.js";
import { ManifestUploads } from "../../src/service/manifest-uploads.js";
import type { ObjectStorage } from "../../src/storage/types.js";
import { StoreSchedules } from "../../src/store/schedules/store-schedules.js";
import { StoreConsoleSessions } from "../../src/store/sessions/console-sessions.js";
import { type RawAnswer, rawHttpRequest } from "./raw-http.js";
import { sqliteTestLedger } from "./signature-ledger.js";
import { signedParts } from "./sigv4-signing.js";
import type { TestStore } from "./stores.js";

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON of any shape (answers, the OpenAPI document)
export type Json = any;

export interface Credentials {
  readonly accountId: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export const ALICE: Credentials = {
  accountId: "111111111111",
  accessKeyId: "AKIAJSONALICE0000001",
  secretAccessKey: "json-alice-secret",
};
export const BOB: Credentials = {
  accountId: "222222222222",
  accessKeyId: "AKIAJSONBOB000000002",
  secretAccessKey: "json-bob-secret",
};

export function accountsOf(credentials: readonly Credentials[], extra: Partial<Account> = {}) {
  return new StaticAccountRegistry(
    credentials.map((c) => ({
      id: c.accountId,
      keys: [{ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey }],
      buckets: ["*"],
      ...extra,
    })),
  );
}

export interface JsonApiServer {
  readonly url: string;
  readonly service: JobService;
  /** The Node server under Fastify (a test may hand it connections it accepted itself: TLS). */
  readonly http: Server;
  /** The server's job event feed and streams (D34). */
  readonly events: JobEvents;
  /** Its schedules (D43), over the test store's connection; none on a store without one. */
  readonly schedules?: ScheduleService;
  close(): Promise<void>;
}

export interface JsonApiServerOptions {
  readonly maxBodyBytes?: number;
  /** The service's clock (ms). */
  readonly now?: () => number;
  readonly maxUnfinishedJobs?: number;
  /**
   * Storage for POST /api/v1/jobs/preview and POST /api/v1/manifests (without it, those routes answer 501) and
   * the one the service reads completion reports from (without it, reading one answers 503).
   */
  readonly storage?: ObjectStorage;
  /** The preview's clock (ms), for deadlines that do not depend on the machine's speed. */
  readonly previewNow?: () => number;
  /** Bucket patterns every account may use (default ["*"]). */
  readonly buckets?: readonly string[];
  /** The API's clock (ms): SigV4's validity and console sessions' ends. Default the real one. */
  readonly apiNow?: () => number;
  /** Console sessions' store; default over the test store's connection (else the ledger's own). */
  readonly sessions?: ConsoleSessionStore;
  readonly sessionPolicy?: Partial<SessionPolicy>;
  /** Heartbeat comments of event streams (default 15 s). */
  readonly heartbeatMs?: number;
  /** POST /api/v1/manifests' body limit (default 64 MiB); the route writes with `storage` (none: 501). */
  readonly maxManifestUploadBytes?: number;
  /** Schedules an account may have (default 100). */
  readonly maxSchedulesPerAccount?: number;
}

/** buildServer on `store`, with a signature ledger of its own, listening on loopback. */
export async function startJsonApiServer(
  store: TestStore,
  credentials: readonly Credentials[] = [ALICE, BOB],
  options: JsonApiServerOptions = {},
): Promise<JsonApiServer> {
  const accounts = accountsOf(credentials, options.buckets ? { buckets: options.buckets } : {});
  const service = new JobService({
    store: store.store,
    accounts,
    maxUnfinishedJobs: options.maxUnfinishedJobs ?? 1000,
    now: options.now,
    storage: options.storage,
  });
  const ledger = await sqliteTestLedger();
  // The feed polls often, so tests that wait for an event wait little (they wait on it, never on time).
  const events = new JobEvents({ store: store.store, service, pollMs: 20 });
  const schedules =
    store.connection &&
    new ScheduleService({
      schedules: new StoreSchedules(store.connection),
      now: options.now,
      maxSchedulesPerAccount: options.maxSchedulesPerAccount ?? 100,
    });
  const server = buildServer({
    service,
    accounts,
    logger: pino({ level: process.env.OBJBATCH_TEST_LOG ?? "silent" }),
    maxBodyBytes: options.maxBodyBytes ?? 64 * 1024,
    healthy: async () => true,
    signatureLedger: ledger.ledger,
    previewer: options.storage && new JobPreviewer({ storage: options.storage, now: options.previewNow }),
    manifestUploads: options.storage && new ManifestUploads(options.storage),
    maxManifestUploadBytes: options.maxManifestUploadBytes,
    sessions: options.sessions ?? new StoreConsoleSessions(store.connection ?? ledger.connection),
    sessionPolicy: options.sessionPolicy,
    ...(options.apiNow ? { now: () => new Date(options.apiNow!()) } : {}),
    events,
    sse: { heartbeatMs: options.heartbeatMs },
    ...(schedules ? { schedules } : {}),
  });
  await server.listen({ host: "127.0.0.1", port: 0 });
  return {
    url: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    service,
    http: server.server,
    events,
    ...(schedules ? { schedules } : {}),
    async close() {
      await server.close();
      events.close();
      await ledger.dispose();
    },
  };
}

export interface Answer extends RawAnswer {
  /** The body parsed as JSON (undefined when empty). */
  readonly json: Json;
}

export interface JsonCall {
  readonly method?: string;
  /** Path under the server, percent-encoded (`/api/v1/jobs`). */
  readonly path: string;
  readonly query?: Record<string, string | string[]>;
  /** An object is sent as JSON; a string or Buffer as it is. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly credentials?: Credentials;
  readonly region?: string;
  readonly service?: string;
  readonly unsigned?: boolean;
  /** "header": x-amz-content-sha256 with the body's hash (default); "unsigned": UNSIGNED-PAYLOAD; "none": no header. */
  readonly payloadHash?: "header" | "unsigned" | "none";
  readonly presignSeconds?: number;
  readonly signingDate?: Date;
  /** Changes the request after signing (to tamper with it). */
  readonly afterSigning?: (request: { path: string; headers: Record<string, string>; body: Buffer }) => void;
}

export class JsonApiClient {
  constructor(
    readonly baseUrl: string,
    readonly credentials: Credentials,
    private readonly checker: DocumentChecker,
  ) {}

  as(credentials: Credentials): JsonApiClient {
    return new JsonApiClient(this.baseUrl, credentials, this.checker);
  }

  async call(call: JsonCall): Promise<Answer> {
    const answer = await sendSigned(this.baseUrl, { credentials: this.credentials, ...call });
    this.checker.check(call.method ?? "GET", call.path, answer);
    return answer;
  }

  get = (path: string, query?: JsonCall["query"]) => this.call({ path, query });
  post = (path: string, body?: unknown) => this.call({ method: "POST", path, body });
  put = (path: string, body?: unknown) => this.call({ method: "PUT", path, body });
  patch = (path: string, body?: unknown) => this.call({ method: "PATCH", path, body });
  delete = (path: string) => this.call({ method: "DELETE", path });
}

/** One request, signed (unless `unsigned`) by @smithy/signature-v4 and sent with node:http. */
export async function sendSigned(baseUrl: string, call: JsonCall & { credentials: Credentials }): Promise<Answer> {
  const base = new URL(baseUrl);
  const body =
    call.body === undefined
      ? Buffer.alloc(0)
      : Buffer.isBuffer(call.body)
        ? call.body
        : Buffer.from(typeof call.body === "string" ? call.body : JSON.stringify(call.body));
  const isJson = call.body !== undefined && typeof call.body !== "string" && !Buffer.isBuffer(call.body);
  const hashMode = call.payloadHash ?? "header";
  const headers: Record<string, string> = {
    host: base.host,
    ...(isJson ? { "content-type": "application/json" } : {}),
    ...(body.length > 0 ? { "content-length": String(body.length) } : {}),
    ...(hashMode === "header" && call.presignSeconds === undefined
      ? { "x-amz-content-sha256": createHash("sha256").update(body).digest("hex") }
      : {}),
    ...(hashMode === "unsigned" ? { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } : {}),
    ...call.headers,
  };
  const signer = new SignatureV4({
    credentials: { accessKeyId: call.credentials.accessKeyId, secretAccessKey: call.credentials.secretAccessKey },
    region: call.region ?? "eu-central-1",
    service: call.service ?? "objbatch",
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: true,
    applyChecksum: false,
  });
  const method = call.method ?? "GET";
  const request = {
    method,
    protocol: "http:",
    hostname: base.hostname,
    path: call.path,
    query: call.query ?? {},
    headers,
    body: body.length > 0 ? body : undefined,
  };
  const { headers: sentHeaders, queryString } = await signedParts(signer, request, call);
  const qs = queryString.replace(/\+/g, "%20");
  const sent = { path: qs === "" ? call.path : `${call.path}?${qs}`, headers: { ...sentHeaders }, body };
  call.afterSigning?.(sent);
  const raw = await rawHttpRequest(
    { host: base.hostname, port: base.port },
    { method, path: sent.path, headers: sent.headers },
    (req) => req.end(sent.body),
  );
  const type = String(raw.headers["content-type"] ?? "");
  return { ...raw, json: raw.text !== "" && /json/.test(type) ? JSON.parse(raw.text) : undefined };
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

/**
 * Checks answers against an OpenAPI document: the route (method and templated path), the status among its
 * documented responses, the Content-Type among that response's media types, and the body against its schema.
 * Counts what it checked, so a suite can assert it checked something.
 */
export class DocumentChecker {
  readonly checked = new Map<string, number>();
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<unknown, ValidateFunction>();
  private readonly routes: { method: string; pattern: RegExp; template: string; operation: Json }[] = [];

  constructor(readonly document: Json) {
    addFormats(this.ajv);
    for (const [template, item] of Object.entries<Json>(document.paths)) {
      const pattern = new RegExp(`^${template.replace(/\./g, "\\.").replace(/\{[^}]+\}/g, "[^/]+")}$`);
      for (const [method, operation] of Object.entries<Json>(item)) {
        this.routes.push({ method: method.toUpperCase(), pattern, template, operation });
      }
    }
  }

  static async load(baseUrl: string): Promise<DocumentChecker> {
    const r = await fetch(`${baseUrl}/api/v1/openapi.json`);
    if (r.status !== 200) throw new Error(`GET /api/v1/openapi.json: ${r.status}`);
    return new DocumentChecker(await r.json());
  }

  check(method: string, path: string, answer: RawAnswer & { json: unknown }): void {
    const route = this.routes.find((r) => r.method === method && r.pattern.test(path));
    const type = String(answer.headers["content-type"] ?? "")
      .split(";")[0]!
      .trim();
    if (route === undefined) {
      // A path or method no route serves: a documented problem all the same.
      if (answer.status !== 404 && answer.status !== 405) {
        throw new Error(`${method} ${path} answered ${answer.status}, yet no route of the document serves it`);
      }
      this.validate({ $ref: "#/components/schemas/Problem" }, answer.json, `${method} ${path} ${answer.status}`);
      if (type !== "application/problem+json") throw new Error(`${method} ${path}: problem sent as ${type}`);
      this.count(`(unrouted) ${answer.status}`);
      return;
    }
    const documented = route.operation.responses[String(answer.status)];
    const where = `${method} ${route.template} ${answer.status}`;
    if (documented === undefined) throw new Error(`${where}: status not documented (${answer.text.slice(0, 300)})`);
    if (documented.content === undefined) {
      if (answer.text !== "") throw new Error(`${where}: documented without a body, got ${answer.text.slice(0, 200)}`);
    } else {
      const media = documented.content[type];
      if (media === undefined) throw new Error(`${where}: media type ${type} not documented`);
      // A JSON body is checked against its schema; another (a results file's text/csv) is text, as documented.
      if (media.schema !== undefined && /json/.test(type)) this.validate(media.schema, answer.json, where);
      else if (media.schema !== undefined) this.validate(media.schema, answer.text, where);
    }
    this.count(where);
  }

  private count(key: string): void {
    this.checked.set(key, (this.checked.get(key) ?? 0) + 1);
  }

  private validate(schema: Json, value: unknown, where: string): void {
    const resolved = schema.$ref ? this.resolve(schema.$ref) : schema;
    let validate = this.compiled.get(resolved);
    if (validate === undefined) {
      validate = this.ajv.compile(resolved);
      this.compiled.set(resolved, validate);
    }
    if (!validate(value)) {
      throw new Error(
        `${where}: the body does not match the document: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 500)}`,
      );
    }
  }

  private resolve(ref: string): unknown {
    const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
    const schema = name === undefined ? undefined : this.document.components?.schemas?.[name];
    if (schema === undefined) throw new Error(`unresolvable $ref ${ref}`);
    return schema;
  }
}

/** A CreateJobRequest that passes validation: DeleteObject over a CSV manifest, no report. */
export function createRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    operation: { kind: "DeleteObject" },
    manifest: {
      format: "S3BatchOperations_CSV_20180820",
      fields: ["Bucket", "Key"],
      location: { bucket: "arn:aws:s3:::src", key: "manifest.csv", etag: "abc" },
    },
    report: { enabled: false },
    ...overrides,
  };
}
