/**
 * Operation tests run against a real LocalStorage on a temporary directory.
 */
import type { OperationContext } from "../../src/operations/types.js";
import { type Fixture, fixture } from "../storage/local/helpers.js";

export { type Fixture, fixture, text } from "../storage/local/helpers.js";

export const contextOf = (f: Fixture, signal?: AbortSignal): OperationContext => ({
  storage: f.storage,
  jobId: "job-1",
  accountId: "acct-1",
  ...(signal ? { signal } : {}),
});

export async function withFixture(buckets: readonly string[] = ["src", "dst"]): Promise<Fixture> {
  return fixture(buckets);
}
