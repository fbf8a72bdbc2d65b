/**
 * For tests that a store read is served by an index: runs a read on the real store with a plugin that keeps
 * each statement it sends, and asks the database how it would run each one. SQLite's EXPLAIN QUERY PLAN names
 * the index it searches and any temporary B-tree it sorts with; on PostgreSQL the plan is asked with sequential
 * scans, bitmap scans and sorts priced out of reach, so a plan that still holds a Seq Scan or a Sort has no
 * index to serve it (a small test table would otherwise be scanned whatever its indexes).
 */
import {
  CompiledQuery,
  type Kysely,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type RootOperationNode,
  sql,
} from "kysely";
import type { JobStore } from "../../src/store/job-store.js";
import type { Database } from "../../src/store/schema.js";
import { database } from "./helpers.js";

class StatementRecorder implements KyselyPlugin {
  readonly nodes: { node: RootOperationNode; queryId: PluginTransformQueryArgs["queryId"] }[] = [];

  transformQuery(args: PluginTransformQueryArgs) {
    this.nodes.push({ node: args.node, queryId: args.queryId });
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs) {
    return args.result;
  }
}

/** The plan of every statement `read` sends through the Kysely handle it is given, one string per statement. */
export async function plansOf(store: JobStore, read: (db: Kysely<Database>) => Promise<unknown>): Promise<string[]> {
  const db = database(store);
  const recorder = new StatementRecorder();
  await read(db.withPlugin(recorder));
  const plans: string[] = [];
  await db.connection().execute(async (conn) => {
    const postgres = store.dialect === "postgres";
    const settings = ["enable_seqscan", "enable_bitmapscan", "enable_sort"];
    if (postgres) for (const s of settings) await sql`set ${sql.raw(s)} = off`.execute(conn);
    try {
      for (const { node, queryId } of recorder.nodes) {
        const compiled = db.getExecutor().compileQuery(node, queryId);
        const explain = postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ";
        const { rows } = await conn.executeQuery<Record<string, unknown>>(
          CompiledQuery.raw(explain + compiled.sql, [...compiled.parameters]),
        );
        plans.push(rows.map((r) => String(postgres ? r["QUERY PLAN"] : r.detail)).join("\n"));
      }
    } finally {
      if (postgres) for (const s of settings) await sql`reset ${sql.raw(s)}`.execute(conn);
    }
  });
  return plans;
}

/**
 * Why `plan` is not served by an index (a scan of the whole jobs table, or a sort of what it found), or
 * undefined when it is.
 */
export function unindexed(plan: string): string | undefined {
  for (const line of plan.split("\n")) {
    // PostgreSQL's "Merge Append" names its "Sort Key" (the order it merges inputs already in that order): no sort.
    if (/^\s*Sort Key:/.test(line)) continue;
    if (/Seq Scan|\bSort\b|TEMP B-TREE/.test(line)) return line.trim();
    // SQLite: "SCAN jobs" alone is a full scan; "SCAN jobs USING INDEX" walks an index in order.
    if (/\bSCAN (jobs|chunks)\b/.test(line) && !/USING (COVERING )?INDEX/.test(line)) return line.trim();
  }
  return undefined;
}
