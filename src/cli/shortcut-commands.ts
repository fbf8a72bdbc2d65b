/**
 * The shortcuts as commands: `objbatch copy|delete|tag|untag|restore|acl|checksum|invoke` against a server, and
 * the same under `objbatch run` in this process (run-command.ts). Each names its objects (--manifest, a manifest
 * in a bucket or a local file; or --source, a bucket listing with filters), its target or settings, and the
 * job's report and priority; shortcut-jobs.ts turns that into the API's job, and create-flow.ts previews it,
 * asks, creates it and watches it. A local manifest is first uploaded through POST /manifests (D38) to
 * --upload-bucket, else the report's bucket, else the bucket its first row names.
 */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import type { ManifestJson, OperationJson } from "../api/json/schemas/model.js";
import { ApiClient, resolveConnection, withConnectionOptions } from "./connection.js";
import type { Context, CreateFlowOptions } from "./create-flow.js";
import { previewCreateWatch, requireWayToConfirm } from "./create-flow.js";
import { CliError, type ExitCode } from "./exit-codes.js";
import { Output } from "./output.js";
import {
  aclOperation,
  checksumOperation,
  copyOperation,
  defaultFields,
  invokeOperation,
  type JobOptions,
  jobRequestOf,
  reportBucketOf,
  restoreOperation,
  type ShortcutSource,
  type SourceOptions,
  sizeOf,
  sourceOf,
  tagOperation,
} from "./shortcut-jobs.js";

/** Where a shortcut's job runs: a server (connection options) or this process (objbatch run). */
export interface ShortcutHost {
  /** How the examples begin: "objbatch" or "objbatch run". */
  readonly prefix: string;
  /** Adds the host's own options (the connection's, or the data dir and store). */
  addOptions(command: Command): void;
  /** Whether --detach applies (not where the job ends with the process). */
  readonly detachable: boolean;
  /** Opens the context the job is created and watched through, runs `body` in it, and closes what it opened. */
  session<T>(options: Record<string, unknown>, body: (ctx: Context) => Promise<T>): Promise<T>;
  /** Derives a clientRequestToken from the job when none was given (run with a kept store: rerunning resumes). */
  tokenFor?(options: Record<string, unknown>, job: unknown): string | undefined;
}

/** A server, reached with the connection options like every `objbatch jobs` command. */
export const serverHost: ShortcutHost = {
  prefix: "objbatch",
  detachable: true,
  addOptions: (command) => void withConnectionOptions(command),
  async session(options, body) {
    const out = new Output(process.stdout);
    try {
      const api = new ApiClient(await resolveConnection(options));
      return await body({ api, out, note: (text) => process.stderr.write(`${text}\n`) });
    } catch (e) {
      // Under --json the server's problem is printed too, as the jobs commands do.
      if (e instanceof CliError && e.problemJson !== undefined && options.json) out.json(e.problemJson);
      throw e;
    }
  },
};

type Options = SourceOptions &
  JobOptions &
  CreateFlowOptions & { readonly uploadBucket?: string } & Record<string, unknown>;

interface Shortcut {
  /** The command and its arguments, as commander reads them. */
  readonly spec: string;
  readonly summary: string;
  /** The example lines after the prefix. */
  readonly examples: readonly string[];
  /** The operation's own options. */
  options?(command: Command): void;
  operation(args: readonly string[], o: Options, source: ShortcutSource): OperationJson;
}

const SHORTCUTS: readonly Shortcut[] = [
  {
    spec: "copy",
    summary: "copy each object to another bucket or prefix (PutObjectCopy)",
    examples: [
      "copy --manifest s3://photos/manifest.csv --to s3://backup/copies/ --report s3://backup/reports",
      "copy --source s3://photos/2024/ --suffix .jpg --to s3://backup/2024/ --yes",
      "copy --manifest ./keys.csv --to s3://archive --storage-class GLACIER --dry-run",
    ],
    options: (c) =>
      c
        .requiredOption("--to <s3url>", "the target: s3://bucket/prefix/ (with --source, the prefix replaces it)")
        .option("--storage-class <class>", "the copies' storage class (default: the target's default)")
        .option("--acl <canned>", "the copies' canned ACL (private, public-read, ...)"),
    operation: (_args, o, source) =>
      copyOperation({ to: o.to as string, storageClass: o.storageClass as string, acl: o.acl as string }, source),
  },
  {
    spec: "delete",
    summary: "delete each object (DeleteObject; a version when the manifest names one)",
    examples: [
      "delete --manifest s3://photos/expired.csv --report s3://photos/reports",
      "delete --source s3://logs/2023/ --created-before 2024-01-01 --dry-run",
    ],
    operation: () => ({ kind: "DeleteObject" }),
  },
  {
    spec: "tag <pairs...>",
    summary: "replace each object's tags with KEY=VALUE pairs, or add them with --add (PutObjectTagging)",
    examples: [
      "tag team=media review=done --manifest s3://photos/manifest.csv",
      "tag --add archived=yes --source s3://photos/2019/",
    ],
    options: (c) => c.option("--add", "add the tags to each object's own (AddObjectTagging) instead of replacing"),
    operation: ([, ...rest], o) => tagOperation(rest.length > 0 ? rest : [], o.add === true),
  },
  {
    spec: "untag",
    summary: "remove every tag of each object (DeleteObjectTagging)",
    examples: ["untag --source s3://photos/drafts/"],
    operation: () => ({ kind: "DeleteObjectTagging" }),
  },
  {
    spec: "restore",
    summary: "restore each archived object for some days (InitiateRestoreObject)",
    examples: ["restore --manifest s3://archive/wanted.csv --days 7 --tier Bulk"],
    options: (c) =>
      c
        .option("--days <n>", "how long the restored copy stays readable (default 1)", wholeNumber("--days", 1))
        .option("--tier <tier>", "Bulk, Standard or Expedited (default: the store's)"),
    operation: (_args, o) => restoreOperation({ days: o.days as number, tier: o.tier as string }),
  },
  {
    spec: "acl <canned>",
    summary: "set each object's ACL to a canned one: private, public-read, ... (PutObjectAcl)",
    examples: ["acl private --source s3://site/drafts/"],
    operation: ([, canned]) => aclOperation(canned!),
  },
  {
    spec: "checksum",
    summary: "compute each object's checksum, written in the report (ComputeObjectChecksum)",
    examples: ["checksum --source s3://photos/ --algorithm SHA256 --report s3://photos/reports"],
    options: (c) =>
      c
        .requiredOption("--algorithm <name>", "CRC32, CRC32C, CRC64NVME, SHA1, SHA256, MD5, ...")
        .option("--type <type>", "full-object or composite (for multipart objects)"),
    operation: (_args, o) => checksumOperation({ algorithm: o.algorithm as string, type: o.type as string }),
  },
  {
    spec: "invoke",
    summary: "call a function with each object (InvokeFunction)",
    examples: ["invoke --function thumbnailer --arg size=256 --source s3://photos/2024/"],
    options: (c) =>
      c
        .requiredOption("--function <arn>", "the function: a name from the configuration's functions, or its ARN")
        .option("--arg <key=value>", "a user argument passed to each call (repeatable)", collect)
        .option("--schema <version>", "the invocation schema: 1.0 or 2.0 (default 1.0)"),
    operation: (_args, o) =>
      invokeOperation({ function: o.function as string, arg: o.arg as string[], schema: o.schema as string }),
  },
];

/** Adds every shortcut to `parent` (the program, or `objbatch run`), run by `host`. */
export function addShortcutCommands(parent: Command, host: ShortcutHost): Command[] {
  return SHORTCUTS.map((shortcut) => {
    const command = parent.command(shortcut.spec).description(shortcut.summary);
    shortcut.options?.(command);
    withSourceOptions(command);
    withJobOptions(command, host);
    host.addOptions(command);
    command.addHelpText(
      "after",
      `\nExamples:\n${shortcut.examples.map((line) => `  ${host.prefix} ${line}`).join("\n")}\n` +
        "\nA local --manifest file is uploaded first (even for --dry-run), to objbatch-manifests/<sha256>.csv in\n" +
        "--upload-bucket, else the --report bucket, else the bucket its first row names.\n",
    );
    command.action(async (...all: unknown[]) => {
      const o = (all[all.length - 1] as Command).opts() as Options;
      const args = [shortcut.spec.split(" ")[0]!, ...all.slice(0, -2).flatMap((a) => (Array.isArray(a) ? a : [a]))];
      const code = await runShortcut(shortcut, args as string[], o, host);
      if (code !== undefined) process.exitCode = code;
    });
    return command;
  });
}

async function runShortcut(
  shortcut: Shortcut,
  args: readonly string[],
  o: Options,
  host: ShortcutHost,
): Promise<ExitCode | undefined> {
  // Everything the flags alone decide is checked before anything is read, started or sent.
  const source = sourceOf(o);
  const operation = shortcut.operation(args, o, source);
  requireWayToConfirm(o);
  const local = source.kind === "local-manifest" ? await readLocalManifest(source.file) : undefined;
  return host.session(o, async (ctx) => {
    const from =
      source.kind === "listing"
        ? { manifestGenerator: source.generator }
        : { manifest: source.kind === "manifest" ? source.manifest : await upload(ctx, source, local!, o) };
    let job = jobRequestOf(operation, from, o);
    const token = o.clientToken === undefined ? host.tokenFor?.(o, job) : undefined;
    if (token !== undefined) job = { ...job, clientRequestToken: token };
    return previewCreateWatch(ctx, job, o);
  });
}

interface LocalManifest {
  readonly bytes: Buffer;
  /** The first row's cells (split at commas; a quoted row is not looked into). */
  readonly firstRow: readonly string[] | undefined;
}

async function readLocalManifest(file: string): Promise<LocalManifest> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      code === "ENOENT"
        ? `--manifest ${file}: no such file (a manifest in a bucket is s3://bucket/key)`
        : `--manifest ${file}: cannot read it (${code ?? (e as Error).message})`,
    );
  }
  if (bytes.length === 0) throw new CliError(`--manifest ${file} is empty: a manifest has a row per object`);
  const text = bytes
    .subarray(0, 64 * 1024)
    .toString("utf8")
    .replace(/^\uFEFF/, "");
  const line = text.split("\n").find((l) => l.trim() !== "");
  const firstRow = line === undefined || line.includes('"') ? undefined : line.replace(/\r$/, "").split(",");
  return { bytes, firstRow };
}

/** Uploads a local manifest (D38) and answers where it now is. */
async function upload(
  ctx: Context,
  source: Extract<ShortcutSource, { kind: "local-manifest" }>,
  local: LocalManifest,
  o: Options,
): Promise<ManifestJson> {
  const fields = source.fields ?? defaultFields(source.format, local.firstRow?.length);
  const bucketColumn = fields.indexOf("Bucket");
  const bucket =
    o.uploadBucket ??
    reportBucketOf(o) ??
    (bucketColumn >= 0 ? local.firstRow?.[bucketColumn]?.trim() || undefined : undefined);
  if (bucket === undefined) {
    throw new CliError(`say which bucket to upload ${source.file} to: --upload-bucket BUCKET`);
  }
  const answer = await ctx.api.call({
    method: "POST",
    path: "/manifests",
    query: { bucket, roleArn: o.role },
    raw: { bytes: local.bytes, contentType: "text/csv" },
  });
  const uploaded = answer.json as { bucket: string; key: string; etag: string };
  ctx.note(`Uploaded ${source.file} to s3://${uploaded.bucket}/${uploaded.key}`);
  return {
    format: source.format,
    fields: [...fields],
    location: { bucket: uploaded.bucket, key: uploaded.key, etag: uploaded.etag },
  };
}

function withSourceOptions(command: Command): void {
  command
    .option("--manifest <location>", "the objects: a CSV manifest, s3://bucket/key or a local file to upload")
    .option("--fields <list>", "the manifest's columns (default Bucket,Key; Bucket,Key,VersionId with 3 columns)")
    .option("--manifest-format <format>", "S3BatchOperations_CSV_20180820 (default), an inventory's, COS's, OSS's")
    .option("--upload-bucket <bucket>", "where a local manifest is uploaded (see below)")
    .option("--source <s3url>", "the objects: every object under s3://bucket/prefix (a listing)")
    .option("--suffix <text>", "with --source: only keys ending with it (repeatable: any of them)", collect)
    .option("--contains <text>", "with --source: only keys containing it (repeatable: any of them)", collect)
    .option("--larger-than <size>", "with --source: only objects larger (bytes, or 10MB, 1GiB)", size("--larger-than"))
    .option("--smaller-than <size>", "with --source: only objects smaller", size("--smaller-than"))
    .option("--created-after <date>", "with --source: only objects last modified after it (2026-01-31 or ISO)")
    .option("--created-before <date>", "with --source: only objects last modified before it")
    .option("--in-storage-class <class>", "with --source: only objects of this storage class (repeatable)", collect);
}

function withJobOptions(command: Command, host: ShortcutHost): void {
  command
    .option("--report <s3url>", "write the completion report under s3://bucket/prefix")
    .option("--report-failed-only", "report the failed tasks only")
    .option("--priority <n>", "the job's priority, higher first (default 10)", wholeNumber("--priority", 0))
    .option("--description <text>", "the job's description")
    .option("--job-tag <key=value>", "a tag of the job itself (repeatable)", collect)
    .option("--role <arn>", "the role the job acts as, where the account configures roles")
    .option("--client-token <token>", "makes creating the job idempotent: the same token answers the same job")
    .option("-y, --yes", "create the job without asking")
    .option("--dry-run", "show the preview only; create nothing")
    .option("--sample <n>", "tasks the preview shows (default 10)", wholeNumber("--sample", 0, 100));
  if (host.detachable) command.option("--detach", "do not watch the job after creating it (--json never watches)");
  command.option("--json", "print the API's JSON answers as they came, for scripts");
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function wholeNumber(name: string, min: number, max = 2147483647) {
  return (value: string): number => {
    if (!/^\d{1,10}$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`${name} is a whole number from ${min} to ${max}.`);
    }
    return Number(value);
  };
}

function size(name: string) {
  return (value: string): number => {
    const bytes = sizeOf(value);
    if (bytes === undefined) throw new InvalidArgumentError(`${name} is a size: bytes, or 10MB, 512KiB, 1.5GiB.`);
    return bytes;
  };
}
