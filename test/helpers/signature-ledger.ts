/**
 * A real signature ledger for route tests that build a dialect or the server by hand: its own SQLite job store
 * in a temporary directory, or the ledger over a given connection (a PostgreSQL store two servers share).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqlite, type StoreConnection } from "../../src/store/connect.js";
import { type SignatureLedgerOptions, StoreSignatureLedger } from "../../src/store/signatures/signature-ledger.js";

export interface TestLedger {
  readonly ledger: StoreSignatureLedger;
  readonly connection: StoreConnection;
  dispose(): Promise<void>;
}

export async function sqliteTestLedger(options: SignatureLedgerOptions = {}): Promise<TestLedger> {
  const dir = await mkdtemp(join(tmpdir(), "objbatch-ledger-"));
  const connection = await openSqlite(join(dir, "signatures.sqlite"));
  return {
    ledger: new StoreSignatureLedger(connection, options),
    connection,
    async dispose() {
      await connection.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
