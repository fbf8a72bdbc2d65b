/**
 * What the engine's parts share.
 */
import type { Logger } from "pino";
import type { AccountRegistry } from "../accounts/types.js";
import type { EngineMetrics } from "../metrics/meters.js";
import type { ObjectStorage } from "../storage/types.js";
import type { JobStore } from "../store/job-store.js";
import type { EngineOptions } from "./options.js";

export interface EngineDeps {
  readonly store: JobStore;
  readonly storage: ObjectStorage;
  readonly accounts: AccountRegistry;
  readonly options: EngineOptions;
  readonly log: Logger;
  readonly now: () => number;
  /** This worker's identity in phase claims. */
  readonly owner: string;
  /** The process's metrics: chunk leases, records and runs, report bytes (D40); none in most unit tests. */
  readonly metrics?: EngineMetrics;
}
