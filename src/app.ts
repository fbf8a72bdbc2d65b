/**
 * The composition root: opens the store and the storage, builds the service, the engine and the HTTP
 * server from one Config. `objbatch serve` and the integration tests both start objbatch through here;
 * `objbatch worker` through startWorker: the engine alone, with /healthz and /metrics on a small port. Both run a
 * scheduler of recurring jobs (D43) unless the config turns it off.
 */
import { mkdir } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { type Logger, pino } from "pino";
import { StaticAccountRegistry } from "./accounts/types.js";
import { scheduledJobSpec } from "./api/json/schedule-template.js";
import { buildServer } from "./api/server.js";
import { buildWorkerServer } from "./api/worker-server.js";
import { type Config, ConfigError } from "./config.js";
import { Engine } from "./engine/engine.js";
import type { ChunkExecutor } from "./engine/executor.js";
import { InProcessExecutor } from "./engine/in-process-executor.js";
import { PlacingExecutor } from "./engine/placing-executor.js";
import { WorkerPoolExecutor } from "./engine/worker-pool-executor.js";
import { ObjbatchMetrics } from "./metrics/registry.js";
import { WebhookNotifier } from "./notifications/notifier.js";
import { WebhookService } from "./notifications/webhook-service.js";
import { JobPreviewer } from "./preview/job-preview.js";
import { ScheduleService } from "./schedules/schedule-service.js";
import { Scheduler } from "./schedules/scheduler.js";
import { JobEvents } from "./service/job-events.js";
import { JobService } from "./service/job-service.js";
import { ManifestUploads } from "./service/manifest-uploads.js";
import { describeStorageConfig, openStorage, type StorageConfig } from "./storage/open-storage.js";
import { storeKindResolver } from "./storage/store-kind.js";
import type { ObjectStorage } from "./storage/types.js";
import { openStore, type StoreConnection } from "./store/connect.js";
import { JobStore } from "./store/job-store.js";
import { storeMaintenanceWarnings } from "./store/postgres-maintenance.js";
import { StoreSchedules } from "./store/schedules/store-schedules.js";
import { StoreConsoleSessions } from "./store/sessions/console-sessions.js";
import { StoreSignatureLedger } from "./store/signatures/signature-ledger.js";
import { StoreAccessTokens } from "./store/tokens/store-access-tokens.js";
import { StoreWebhooks } from "./store/webhooks/store-webhooks.js";

export interface RunningApp {
  readonly server: ReturnType<typeof buildServer>;
  /** What /metrics serves (D40). */
  readonly metrics: ObjbatchMetrics;
  readonly engine: Engine | undefined;
  /** This process's scheduler of recurring jobs (D43); none when config schedules.enabled is false. */
  readonly scheduler: Scheduler | undefined;
  readonly service: JobService;
  readonly schedules: ScheduleService;
  /** The job event feed and streams of this server (D34). */
  readonly events: JobEvents;
  /** This server's webhook notifier (D42); undefined when started without it. */
  readonly notifier: WebhookNotifier | undefined;
  readonly store: JobStore;
  readonly storage: ObjectStorage;
  /**
   * Bearer access tokens (D44), in the job store every API server shares: issued and revoked through /api/v1 and
   * verified by the Google dialect (an AccessTokenVerifier).
   */
  readonly accessTokens: StoreAccessTokens;
  /** http://host:port the server listens on. */
  readonly url: string;
  readonly logger: Logger;
  close(): Promise<void>;
}

/**
 * The job store of a long-running process (serve, worker, run): SQLite's log checkpointed from its own thread
 * (D51), and a warning for what the store's server neglects that the store relies on (D50), which never stops
 * the start.
 */
async function openProcessStore(storeUrl: string, logger: Logger): Promise<StoreConnection> {
  const connection = await openStore(storeUrl, { backgroundCheckpoints: true });
  const warnings = await storeMaintenanceWarnings(connection).catch((e: unknown) => {
    logger.debug({ err: e }, "could not read the job store server's settings");
    return [];
  });
  for (const warning of warnings) logger.warn(warning);
  return connection;
}

/** The process's metrics (D40), its jobs by status read from `store`. */
function processMetrics(store: JobStore, logger: Logger): ObjbatchMetrics {
  const log = logger.child({ part: "metrics" });
  return new ObjbatchMetrics({
    jobCounts: () => store.countJobsByStatus(),
    jobCountsOptions: { onError: (err) => log.warn({ err }, "counting jobs by status for /metrics failed") },
  });
}

/**
 * The scheduler of recurring jobs (D43): each due time's job is created through the JobService, from the
 * schedule's template as the JSON API checks a job (api/json/schedule-template.ts).
 */
function buildScheduler(
  config: Config,
  parts: {
    readonly connection: StoreConnection;
    readonly service: JobService;
    readonly logger: Logger;
    readonly now: () => number;
    readonly metrics: ObjbatchMetrics;
  },
): Scheduler | undefined {
  const options = config.schedules;
  if (!options.enabled) return undefined;
  const { service, metrics } = parts;
  return new Scheduler({
    schedules: new StoreSchedules(parts.connection),
    createJob: (schedule, dueAt) =>
      service.createJob(scheduledJobSpec(schedule.template, schedule.accountId, schedule.scheduleId, dueAt), "reuse"),
    now: parts.now,
    log: parts.logger.child({ part: "scheduler" }),
    pollMs: options.pollMs,
    claimTtlMs: options.claimTtlMs,
    maxPerTick: options.maxPerTick,
    onRun: (outcome) => metrics.schedules.ran(outcome),
  });
}

export interface StartOptions {
  /** Run the engine in this process (default true). */
  readonly engine?: boolean;
  readonly logger?: Logger;
  /** An injected clock (tests); chunks then run in-process, since a clock cannot cross to worker threads. */
  readonly now?: () => number;
  /** Deliver webhooks from this process (default true; tests drive a notifier of their own). */
  readonly notifier?: boolean;
}

function hasS3Store(config: StorageConfig): boolean {
  return config.kind === "routed" ? config.routes.some((r) => r.store.kind === "s3") : config.kind === "s3";
}

/**
 * Whether every bucket is on S3: no local route comes before an S3 route that matches every bucket (routes are
 * tried in order, so the fallback local route after it is never reached). Then no job needs runner threads.
 */
function onlyS3Stores(config: StorageConfig): boolean {
  if (config.kind !== "routed") return config.kind === "s3";
  for (const route of config.routes) {
    if (route.store.kind !== "s3") return false;
    if (route.buckets.includes("*")) return true;
  }
  return false;
}

/** The engine and its executor: chunks on worker threads, or in this event loop (S3 jobs, an injected clock). */
function buildEngine(
  config: Config,
  parts: {
    readonly store: JobStore;
    readonly storage: ObjectStorage;
    readonly accounts: StaticAccountRegistry;
    readonly logger: Logger;
    readonly now: () => number;
    /** Run every chunk in this event loop (an injected clock cannot cross to worker threads). */
    readonly inline: boolean;
    readonly metrics: ObjbatchMetrics;
  },
): Engine {
  const { store, storage, accounts, logger, now, metrics } = parts;
  const storageConfig: StorageConfig = config.storage;
  const log = logger.child({ part: "engine" });
  // Threads only where a job may touch a local directory: S3 jobs run in this event loop anyway, and idle
  // threads would only hold memory.
  const threads = parts.inline || onlyS3Stores(storageConfig) ? 0 : config.engine.runnerThreads;
  const inline = () => new InProcessExecutor(storage, accounts, config.engine, log, config.functions, metrics.tasks);
  let executor: ChunkExecutor;
  if (threads > 0) {
    const pool = new WorkerPoolExecutor(
      {
        storage: storageConfig,
        accounts: config.accounts,
        options: config.engine,
        // The workers log at the level the app's logger has, which a caller may have chosen.
        logLevel: logger.level,
        functions: config.functions,
      },
      threads,
      log,
      metrics.bridge,
    );
    // Jobs whose buckets are all on S3 run in this event loop, the rest on the threads (placing-executor.ts).
    executor = hasS3Store(storageConfig) ? new PlacingExecutor(pool, inline(), storeKindResolver(storageConfig)) : pool;
  } else {
    executor = inline();
  }
  return new Engine({ store, storage, accounts, options: config.engine, log, now, executor, metrics });
}

export async function startApp(config: Config, options: StartOptions = {}): Promise<RunningApp> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const now = options.now ?? Date.now;
  const accounts = new StaticAccountRegistry(config.accounts);
  await mkdir(config.dataDir, { recursive: true });
  const connection = await openProcessStore(config.storeUrl, logger);
  const store = new JobStore(connection);
  const metrics = processMetrics(store, logger);
  // Signatures are bound in the job store, so every server sharing it refuses the same replays.
  const signatureLedger = new StoreSignatureLedger(connection, { now });
  const storageConfig: StorageConfig = config.storage;
  logger.info({ storage: describeStorageConfig(storageConfig) }, "storage");
  const storage: ObjectStorage = await openStorage(storageConfig, {
    now: () => new Date(now()),
    instrument: metrics.instrument,
  });

  let engine: Engine | undefined;
  let notifier: WebhookNotifier | undefined;
  const service = new JobService({
    store,
    accounts,
    maxUnfinishedJobs: config.maxUnfinishedJobs,
    now,
    onChange: (change) => {
      engine?.wake(change);
      notifier?.wake();
    },
    storage,
  });
  if (options.engine !== false) {
    engine = buildEngine(config, { store, storage, accounts, logger, now, inline: options.now !== undefined, metrics });
  }
  // Schedules live in the job store: any server may change them, and every scheduler shares their runs (D43).
  const schedules = new ScheduleService({
    schedules: new StoreSchedules(connection),
    now,
    maxSchedulesPerAccount: config.schedules.maxPerAccount,
  });
  const scheduler = buildScheduler(config, { connection, service, logger, now, metrics });

  const events = new JobEvents({ store, service, log: logger.child({ part: "events" }) });
  // Webhooks (D42): in the store every server shares; each server's notifier delivers a share of the outbox.
  const storeWebhooks = new StoreWebhooks(connection);
  const webhooks = new WebhookService(storeWebhooks, config.notifications, now);
  notifier =
    options.notifier === false
      ? undefined
      : new WebhookNotifier({
          jobs: store,
          webhooks: storeWebhooks,
          policy: config.notifications,
          now,
          log: logger.child({ part: "webhooks" }),
          meter: metrics.webhooks,
        });
  // Access tokens live in the job store too: one issued or revoked through any server counts on all (D44).
  const accessTokens = new StoreAccessTokens(connection);
  let closing = false;
  const server = buildServer({
    service,
    accounts,
    logger,
    maxBodyBytes: config.maxBodyBytes,
    httpLimits: config.http,
    signatureLedger,
    signaturePolicy: config.auth,
    previewer: new JobPreviewer({ storage, now }),
    // Local manifests the CLI uploads (D38), written with the same storage under the engine's bucket rules.
    manifestUploads: new ManifestUploads(storage),
    maxManifestUploadBytes: config.maxManifestUploadBytes,
    webhooks,
    // Console sessions live in the job store too: one opened or revoked through any server counts on all.
    sessions: new StoreConsoleSessions(connection),
    sessionPolicy: config.sessions,
    events,
    schedules,
    accessTokens,
    tokenPolicy: config.tokens,
    // Unhealthy while the store cannot be read or written (a probe that hangs counts as a failure).
    healthy: async () => !closing && (await store.isHealthy()),
    metrics,
  });
  await server.listen({ host: config.host, port: config.port });
  engine?.start();
  notifier?.start();
  scheduler?.start();
  const address = server.server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${address.port}`;

  return {
    server,
    metrics,
    engine,
    scheduler,
    service,
    schedules,
    events,
    notifier,
    store,
    storage,
    accessTokens,
    url,
    logger,
    async close() {
      if (closing) return;
      closing = true;
      await server.close();
      events.close();
      await notifier?.stop();
      await scheduler?.stop();
      await engine?.stop();
      await storage.close();
      await store.close();
    },
  };
}

export interface RunningWorker {
  readonly engine: Engine;
  /** This worker's scheduler of recurring jobs (D43); none when config schedules.enabled is false. */
  readonly scheduler: Scheduler | undefined;
  /** What /metrics serves (D40). */
  readonly metrics: ObjbatchMetrics;
  readonly store: JobStore;
  /** http://host:port of /healthz and /metrics. */
  readonly url: string;
  readonly logger: Logger;
  close(): Promise<void>;
}

/**
 * Refuses a store no other process can share: a worker alone on a private store would run nothing the API
 * accepts. PostgreSQL is shared by any number of machines. A SQLite file is shared by processes on one machine
 * (WAL on a local disk: every lease and completion is one statement or one transaction, and SQLite lets one
 * writer in at a time), never across machines; an in-memory SQLite database is the process's own.
 */
export function workerStoreProblem(storeUrl: string): string | undefined {
  if (/^postgres(ql)?:\/\//.test(storeUrl)) return undefined;
  const file = storeUrl.replace(/^sqlite:/, "");
  if (file === "" || file === ":memory:" || /^file::memory:|[?&]mode=memory/.test(file)) {
    return (
      `store: objbatch worker needs a job store the API server shares; ${storeUrl} is in this process's memory. ` +
      "Use --store postgres://... (any number of machines) or sqlite:<file> on a local disk (one machine)"
    );
  }
  return undefined;
}

/** `objbatch worker`: the engine alone on the shared store, with /healthz and /metrics; no job API. */
export async function startWorker(config: Config, options: StartOptions = {}): Promise<RunningWorker> {
  const problem = workerStoreProblem(config.storeUrl);
  if (problem) throw new ConfigError(problem);
  const logger = options.logger ?? pino({ level: config.logLevel });
  const now = options.now ?? Date.now;
  const accounts = new StaticAccountRegistry(config.accounts);
  await mkdir(config.dataDir, { recursive: true });
  const connection = await openProcessStore(config.storeUrl, logger);
  const store = new JobStore(connection);
  const metrics = processMetrics(store, logger);
  logger.info({ storage: describeStorageConfig(config.storage) }, "storage");
  const storage: ObjectStorage = await openStorage(config.storage, {
    now: () => new Date(now()),
    instrument: metrics.instrument,
  });
  const inline = options.now !== undefined;
  const engine = buildEngine(config, { store, storage, accounts, logger, now, inline, metrics });
  // A worker's scheduler creates jobs as the API does: through a JobService (its caps and idempotency, D5).
  const service = new JobService({
    store,
    accounts,
    maxUnfinishedJobs: config.maxUnfinishedJobs,
    now,
    onChange: (change) => engine.wake(change),
  });
  const scheduler = buildScheduler(config, { connection, service, logger, now, metrics });

  let closing = false;
  const server = buildWorkerServer({ logger, healthy: async () => !closing && (await store.isHealthy()), metrics });
  await server.listen({ host: config.host, port: config.port });
  engine.start();
  scheduler?.start();
  const address = server.server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    engine,
    scheduler,
    metrics,
    store,
    url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${address.port}`,
    logger,
    async close() {
      if (closing) return;
      closing = true;
      await server.close();
      await scheduler?.stop();
      await engine.stop();
      await storage.close();
      await store.close();
    },
  };
}
