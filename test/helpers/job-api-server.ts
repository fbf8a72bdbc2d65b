/**
 * The real HTTP server (buildServer: the three dialects, their route plugins, the not-found handling) on a
 * real job store, with the engine off, for tests that need what startTestApp does not offer: a chosen
 * signature policy, or two servers on one shared store. Each server has its own connection to the store, its
 * own JobStore and its own signature ledger, as separate objbatch processes would.
 */
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { StaticAccountRegistry } from "../../src/accounts/types.js";
import type { SignaturePolicy } from "../../src/api/auth/signature-policy.js";
import { buildServer } from "../../src/api/server.js";
import { JobService } from "../../src/service/job-service.js";
import { openStore } from "../../src/store/connect.js";
import { JobStore } from "../../src/store/job-store.js";
import { StoreConsoleSessions } from "../../src/store/sessions/console-sessions.js";
import { StoreSignatureLedger } from "../../src/store/signatures/signature-ledger.js";
import { ROOT } from "./app.js";

export interface JobApiServer {
  readonly url: string;
  readonly store: JobStore;
  close(): Promise<void>;
}

export interface JobApiServerOptions {
  /** The store to use (`postgres://...` to share one); default a fresh SQLite file. */
  readonly storeUrl?: string;
  readonly signaturePolicy?: Partial<SignaturePolicy>;
}

export const ROOT_ACCOUNTS = new StaticAccountRegistry([
  {
    id: ROOT.accountId,
    keys: [{ accessKeyId: ROOT.accessKeyId, secretAccessKey: ROOT.secretAccessKey }],
    buckets: ["*"],
  },
]);

export async function startJobApiServer(options: JobApiServerOptions = {}): Promise<JobApiServer> {
  const dir = options.storeUrl === undefined ? await mkdtemp(join(tmpdir(), "objbatch-api-")) : undefined;
  const connection = await openStore(options.storeUrl ?? `sqlite:${join(dir!, "jobs.sqlite")}`);
  const store = new JobStore(connection);
  const server = buildServer({
    service: new JobService({ store, accounts: ROOT_ACCOUNTS, maxUnfinishedJobs: 1000 }),
    accounts: ROOT_ACCOUNTS,
    logger: pino({ level: process.env.OBJBATCH_TEST_LOG ?? "silent" }),
    maxBodyBytes: 1024 * 1024,
    healthy: async () => true,
    signatureLedger: new StoreSignatureLedger(connection),
    sessions: new StoreConsoleSessions(connection),
    signaturePolicy: options.signaturePolicy,
  });
  await server.listen({ host: "127.0.0.1", port: 0 });
  return {
    url: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    store,
    async close() {
      await server.close();
      await store.close();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}
