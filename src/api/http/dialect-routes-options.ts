/**
 * What every dialect's Fastify plugin (cos/oss/s3control routes.ts) is built from: the job service, the
 * accounts that sign requests, a clock and the body limit. Each dialect adds its own signature options.
 */
import type { AccountRegistry } from "../../accounts/types.js";
import type { JobServiceApi } from "../../service/types.js";

export interface DialectRoutesOptions {
  readonly service: JobServiceApi;
  readonly accounts: AccountRegistry;
  readonly now?: () => Date;
  /** Largest request body accepted. Default DEFAULT_MAX_BODY_BYTES (1 MiB). */
  readonly maxBodyBytes?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
