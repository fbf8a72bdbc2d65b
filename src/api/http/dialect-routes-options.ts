/**
 * What every dialect's Fastify plugin (cos/oss/s3control routes.ts) is built from: the job service, the
 * accounts that sign requests, the ledger that binds signatures to the request they first came with, the
 * operator's signature policy, a clock and the body limit. Each dialect adds its own signature options.
 */
import type { AccountRegistry } from "../../accounts/types.js";
import type { JobServiceApi } from "../../service/types.js";
import type { SignatureLedger } from "../auth/signature-binding.js";
import type { SignaturePolicy } from "../auth/signature-policy.js";

export interface DialectRoutesOptions {
  readonly service: JobServiceApi;
  readonly accounts: AccountRegistry;
  /** Where signatures that do not cover the whole request are bound to their first request (auth/signature-binding.ts). */
  readonly signatureLedger: SignatureLedger;
  /** Which signatures are accepted; what it leaves out takes DEFAULT_SIGNATURE_POLICY's value. */
  readonly signaturePolicy?: Partial<SignaturePolicy>;
  readonly now?: () => Date;
  /** Largest request body accepted. Default DEFAULT_MAX_BODY_BYTES (1 MiB). */
  readonly maxBodyBytes?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
