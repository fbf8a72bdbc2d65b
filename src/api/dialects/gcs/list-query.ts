/**
 * The list methods' query (AIP-158 pagination, AIP-160 filtering, AIP-132 ordering) as objbatch reads jobs (D46):
 *
 *   pageSize   1-1000, default 100; 0 or absent is the default (gcloud asks for 500)
 *   pageToken  opaque: where the last page stopped, bound to the filter and orderBy it was made for (another
 *              filter with it is INVALID_ARGUMENT, AIP-158)
 *   orderBy    `create_time desc` (the default: newest first, as every objbatch listing reads) or `create_time`
 *              (oldest first: the matching jobs are read, up to MAX_SORTED_JOBS, and turned round); `name` is
 *              refused, since objbatch indexes no job names
 *   filter     a conjunction (AND, or juxtaposition) of restrictions:
 *                state = QUEUED|RUNNING|SUCCEEDED|CANCELED|FAILED, state != ...,
 *                (state = A OR state = B ...),
 *                create_time > | >= | < | <= "RFC 3339",
 *                description : "text" (contains, case-insensitive; also matches the objbatch job id)
 *              anything else is INVALID_ARGUMENT naming what it could not read
 */
import { createHash } from "node:crypto";
import type { JobStatus } from "../../../domain/status.js";
import type { JobPosition, JobSearch } from "../../../service/types.js";
import { badField } from "./errors.js";
import { type GoogleJobState, STATE_OF_STATUS, statusesOfState } from "./job-resource.js";

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
/** The most jobs an ascending listing turns round. */
export const MAX_SORTED_JOBS = 10_000;

const STATES: readonly GoogleJobState[] = ["QUEUED", "RUNNING", "SUCCEEDED", "CANCELED", "FAILED"];

export interface ListQuery {
  readonly pageSize: number;
  readonly ascending: boolean;
  /** The filter as objbatch's search: statuses, text, creation-time bounds. */
  readonly search: Omit<JobSearch, "limit" | "after">;
  /** Where this page starts: after this job (newest first), or at this offset (oldest first). */
  readonly after?: JobPosition;
  readonly offset?: number;
  /** Binds a page token to the filter and order it was made for. */
  readonly key: string;
}

/** Reads the query string of a list method; `filterable` is false for operations (no filter but the empty one). */
export function parseListQuery(query: Readonly<Record<string, string | undefined>>, filterable = true): ListQuery {
  const pageSize = parsePageSize(query.pageSize);
  const orderBy = (query.orderBy ?? "").trim().replace(/\s+/g, " ");
  let ascending: boolean;
  if (orderBy === "" || orderBy === "create_time desc") ascending = false;
  else if (orderBy === "create_time" || orderBy === "create_time asc") ascending = true;
  else throw badField("order_by", `objbatch orders jobs by "create_time" or "create_time desc", not "${orderBy}".`);
  const filter = query.filter ?? "";
  if (!filterable && filter.trim() !== "") throw badField("filter", "operations can't be filtered here.");
  const search = parseFilter(filter);
  const key = createHash("sha256")
    .update(JSON.stringify([filter.trim(), ascending]))
    .digest("hex")
    .slice(0, 16);
  const token = query.pageToken ?? "";
  if (token === "") return { pageSize, ascending, search, key };
  const position = readPageToken(token, key);
  return { pageSize, ascending, search, key, ...position };
}

function parsePageSize(value: string | undefined): number {
  if (value === undefined || value === "") return DEFAULT_PAGE_SIZE;
  if (!/^-?\d+$/.test(value)) throw badField("page_size", "must be an integer.");
  const n = Number(value);
  if (n < 0) throw badField("page_size", "must not be negative.");
  if (n === 0) return DEFAULT_PAGE_SIZE;
  return Math.min(n, MAX_PAGE_SIZE);
}

export function pageToken(key: string, position: { after?: JobPosition; offset?: number }): string {
  const body =
    position.offset !== undefined
      ? { k: key, o: position.offset }
      : { k: key, c: position.after!.creationTime, j: position.after!.jobId };
  return Buffer.from(JSON.stringify(body)).toString("base64url");
}

function readPageToken(token: string, key: string): { after?: JobPosition; offset?: number } {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    body = undefined;
  }
  const t = body as { k?: unknown; o?: unknown; c?: unknown; j?: unknown } | undefined;
  if (typeof t !== "object" || t === null || typeof t.k !== "string") {
    throw badField("page_token", "is not a page token this service made.");
  }
  if (t.k !== key) throw badField("page_token", "was made for another filter or order_by.");
  if (typeof t.o === "number" && Number.isSafeInteger(t.o) && t.o >= 0) return { offset: t.o };
  if (typeof t.c === "number" && Number.isSafeInteger(t.c) && typeof t.j === "string" && t.j.length <= 64) {
    return { after: { creationTime: t.c, jobId: t.j } };
  }
  throw badField("page_token", "is not a page token this service made.");
}

type Token =
  | { readonly kind: "word"; readonly text: string }
  | { readonly kind: "string"; readonly text: string }
  | { readonly kind: "op"; readonly text: string }
  | { readonly kind: "paren"; readonly text: "(" | ")" };

function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(\()|(\))|("(?:[^"\\]|\\.)*")|(<=|>=|!=|=|<|>|:)|([A-Za-z0-9_.\-:+]+))/y;
  let i = 0;
  while (i < filter.length) {
    if (/^\s*$/.test(filter.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(filter);
    if (m === null) throw badField("filter", `can't read the filter at "${filter.slice(i, i + 20)}".`);
    i = re.lastIndex;
    if (m[1]) tokens.push({ kind: "paren", text: "(" });
    else if (m[2]) tokens.push({ kind: "paren", text: ")" });
    else if (m[3]) tokens.push({ kind: "string", text: JSON.parse(m[3]) as string });
    else if (m[4]) tokens.push({ kind: "op", text: m[4] });
    else tokens.push({ kind: "word", text: m[5]! });
  }
  return tokens;
}

interface Restriction {
  readonly field: string;
  readonly op: string;
  readonly value: string;
}

/** The filter as objbatch's job search. */
export function parseFilter(filter: string): Omit<JobSearch, "limit" | "after"> {
  const tokens = tokenize(filter);
  let pos = 0;
  const peek = () => tokens[pos];
  const restriction = (): Restriction => {
    const field = tokens[pos++];
    const op = tokens[pos++];
    const value = tokens[pos++];
    if (field?.kind !== "word" || op?.kind !== "op" || (value?.kind !== "word" && value?.kind !== "string")) {
      throw badField("filter", "each restriction must be <field> <operator> <value>, such as state = RUNNING.");
    }
    return { field: field.text, op: op.text, value: value.text };
  };

  let statuses: Set<JobStatus> | undefined;
  const narrow = (allowed: Iterable<JobStatus>) => {
    const next = new Set(allowed);
    statuses = statuses === undefined ? next : new Set([...statuses].filter((s) => next.has(s)));
  };
  let createdFrom: number | undefined;
  let createdTo: number | undefined;
  let text: string | undefined;

  const stateValue = (value: string): GoogleJobState => {
    if (!(STATES as readonly string[]).includes(value)) {
      throw badField("filter", `state must be one of ${STATES.join(", ")}, not "${value}".`);
    }
    return value as GoogleJobState;
  };

  while (pos < tokens.length) {
    const t = peek()!;
    if (t.kind === "word" && t.text === "AND") {
      pos++;
      continue;
    }
    if (t.kind === "paren" && t.text === "(") {
      pos++;
      const states: GoogleJobState[] = [];
      for (;;) {
        const r = restriction();
        if (r.field !== "state" || r.op !== "=") {
          throw badField("filter", "objbatch reads OR only between state = ... restrictions.");
        }
        states.push(stateValue(r.value));
        const next = tokens[pos++];
        if (next?.kind === "paren" && next.text === ")") break;
        if (next?.kind !== "word" || next.text !== "OR") throw badField("filter", "expected OR or ).");
      }
      narrow(states.flatMap(statusesOfState));
      continue;
    }
    const r = restriction();
    if (peek()?.kind === "word" && peek()!.text === "OR") {
      // state = A OR state = B, without parentheses.
      if (r.field !== "state" || r.op !== "=") throw badField("filter", "objbatch reads OR only between states.");
      const states = [stateValue(r.value)];
      while (peek()?.kind === "word" && peek()!.text === "OR") {
        pos++;
        const o = restriction();
        if (o.field !== "state" || o.op !== "=") throw badField("filter", "objbatch reads OR only between states.");
        states.push(stateValue(o.value));
      }
      narrow(states.flatMap(statusesOfState));
      continue;
    }
    switch (r.field) {
      case "state": {
        const state = stateValue(r.value);
        if (r.op === "=") narrow(statusesOfState(state));
        else if (r.op === "!=")
          narrow((Object.keys(STATE_OF_STATUS) as JobStatus[]).filter((s) => STATE_OF_STATUS[s] !== state));
        else throw badField("filter", "state takes = or !=.");
        break;
      }
      case "create_time":
      case "createTime": {
        const ms = Date.parse(r.value);
        if (!/^\d{4}-\d{2}-\d{2}T/.test(r.value) || Number.isNaN(ms)) {
          throw badField("filter", `create_time must be compared with an RFC 3339 time, not "${r.value}".`);
        }
        if (r.op === ">") createdFrom = Math.max(createdFrom ?? 0, ms + 1);
        else if (r.op === ">=") createdFrom = Math.max(createdFrom ?? 0, ms);
        else if (r.op === "<") createdTo = Math.min(createdTo ?? Number.MAX_SAFE_INTEGER, ms - 1);
        else if (r.op === "<=") createdTo = Math.min(createdTo ?? Number.MAX_SAFE_INTEGER, ms);
        else throw badField("filter", "create_time takes <, <=, > or >=.");
        break;
      }
      case "description":
        if (r.op !== ":" && r.op !== "=") throw badField("filter", 'description takes : ("contains").');
        if (text !== undefined) throw badField("filter", "description may be restricted once.");
        text = r.value;
        break;
      default:
        throw badField("filter", `objbatch filters jobs by state, create_time and description, not "${r.field}".`);
    }
  }
  return {
    ...(statuses !== undefined ? { statuses: [...statuses] } : {}),
    ...(createdFrom !== undefined ? { createdFrom } : {}),
    ...(createdTo !== undefined ? { createdTo } : {}),
    ...(text !== undefined ? { text } : {}),
  };
}
