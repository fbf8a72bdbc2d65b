/**
 * The composition root: opens the store and the storage, builds the service, the engine and the HTTP
 * server from one Config. `objbatch serve` and the integration tests both start objbatch through here.
 */
import { mkdir } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { type Logger, pino } from "pino";
import { StaticAccountRegistry } from "./accounts/types.js";
import { buildServer } from "./api/server.js";
import type { Config } from "./config.js";
import { Engine } from "./engine/engine.js";
import type { ChunkExecutor } from "./engine/executor.js";
import { InProcessExecutor } from "./engine/in-process-executor.js";
import { PlacingExecutor } from "./engine/placing-executor.js";
import { WorkerPoolExecutor } from "./engine/worker-pool-executor.js";
import { JobService } from "./service/job-service.js";
import { describeStorageConfig, openStorage, type StorageConfig } from "./storage/open-storage.js";
import { storeKindResolver } from "./storage/store-kind.js";
import type { ObjectStorage } from "./storage/types.js";
import { openStore } from "./store/connect.js";
import { JobStore } from "./store/job-store.js";
import { StoreSignatureLedger } from "./store/signatures/signature-ledger.js";

export interface RunningApp {
  readonly server: ReturnType<typeof buildServer>;
  readonly engine: Engine | undefined;
  readonly service: JobService;
  readonly store: JobStore;
  readonly storage: ObjectStorage;
  /** http://host:port the server listens on. */
  readonly url: string;
  readonly logger: Logger;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Run the engine in this process (default true). */
  readonly engine?: boolean;
  readonly logger?: Logger;
  /** An injected clock (tests); chunks then run in-process, since a clock cannot cross to worker threads. */
  readonly now?: () => number;
}

function hasS3Store(config: StorageConfig): boolean {
  return config.kind === "routed" ? config.routes.some((r) => r.store.kind === "s3") : config.kind === "s3";
}

export async function startApp(config: Config, options: StartOptions = {}): Promise<RunningApp> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const now = options.now ?? Date.now;
  const accounts = new StaticAccountRegistry(config.accounts);
  await mkdir(config.dataDir, { recursive: true });
  const connection = await openStore(config.storeUrl);
  const store = new JobStore(connection);
  // Signatures are bound in the job store, so every server sharing it refuses the same replays.
  const signatureLedger = new StoreSignatureLedger(connection, { now });
  const storageConfig: StorageConfig = config.storage;
  logger.info({ storage: describeStorageConfig(storageConfig) }, "storage");
  const storage: ObjectStorage = openStorage(storageConfig, { now: () => new Date(now()) });

  let engine: Engine | undefined;
  const service = new JobService({
    store,
    accounts,
    maxUnfinishedJobs: config.maxUnfinishedJobs,
    now,
    onChange: () => engine?.wake(),
  });
  if (options.engine !== false) {
    const log = logger.child({ part: "engine" });
    const threads = options.now ? 0 : config.engine.runnerThreads;
    const inline = () => new InProcessExecutor(storage, accounts, config.engine, log, config.functions);
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
      );
      // Jobs whose buckets are all on S3 run in this event loop, the rest on the threads (placing-executor.ts).
      executor = hasS3Store(storageConfig)
        ? new PlacingExecutor(pool, inline(), storeKindResolver(storageConfig))
        : pool;
    } else {
      executor = inline();
    }
    engine = new Engine({ store, storage, accounts, options: config.engine, log, now, executor });
  }

  let closing = false;
  const server = buildServer({
    service,
    accounts,
    logger,
    maxBodyBytes: config.maxBodyBytes,
    httpLimits: config.http,
    signatureLedger,
    signaturePolicy: config.auth,
    // Unhealthy while the store cannot be read or written (a probe that hangs counts as a failure).
    healthy: async () => !closing && (await store.isHealthy()),
  });
  await server.listen({ host: config.host, port: config.port });
  engine?.start();
  const address = server.server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${address.port}`;

  return {
    server,
    engine,
    service,
    store,
    storage,
    url,
    logger,
    async close() {
      if (closing) return;
      closing = true;
      await server.close();
      await engine?.stop();
      await storage.close();
      await store.close();
    },
  };
}
