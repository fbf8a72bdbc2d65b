/**
 * For tests that a read stays bounded: a Kysely plugin that counts the statements a store runs and the rows
 * they hand back, and a JobStore on the same connection that goes through it. Bounds are asserted by counts,
 * never by time.
 */
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult } from "kysely";
import type { StoreConnection } from "../../src/store/connect.js";
import { JobStore } from "../../src/store/job-store.js";

export interface QueryCount {
  /** Statements run. */
  readonly queries: number;
  /** Rows all of them handed back. */
  readonly rows: number;
  /** Rows the largest result held. */
  readonly largest: number;
}

export class QueryCounter implements KyselyPlugin {
  private queries = 0;
  private rows = 0;
  private largest = 0;

  transformQuery(args: PluginTransformQueryArgs) {
    this.queries++;
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<Record<string, unknown>>> {
    const n = args.result.rows.length;
    this.rows += n;
    this.largest = Math.max(this.largest, n);
    return args.result;
  }

  /** What was counted since the last take, and starts again from zero. */
  take(): QueryCount {
    const counted = { queries: this.queries, rows: this.rows, largest: this.largest };
    this.queries = 0;
    this.rows = 0;
    this.largest = 0;
    return counted;
  }
}

/** A JobStore on `store`'s connection whose every statement `counter` counts (closing it closes nothing). */
export function countedStore(store: JobStore): { store: JobStore; counter: QueryCounter } {
  const conn = (store as unknown as { conn: StoreConnection }).conn;
  const counter = new QueryCounter();
  const counted = new JobStore({ ...conn, db: conn.db.withPlugin(counter), close: async () => {} });
  return { store: counted, counter };
}
