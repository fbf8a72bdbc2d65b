/**
 * `objbatch jobs report ID --download DIR`: every completed results file of a job's report streamed into DIR
 * under the last segment of its key (`<sha1>.csv`, the names manifest.json lists), and the report's
 * manifest.json beside them once the job has finished. Whatever the server says, nothing is written outside DIR:
 * each name must be a plain file name (no separator, no `..`, no control character, nothing a filesystem reads
 * as a drive or stream), every name is checked before the first byte is written, and a hostile one refuses the
 * whole download. A file is asked for by its status and number (D29), never by a path the server gave, written
 * to a temporary file created in DIR (never following a link planted there), checked against the size and MD5
 * the report lists, and renamed into place, so DIR never holds half a file under a final name.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, realpath, rename, rm } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type ApiClient, jobPath } from "./connection.js";
import { CliError, EXIT } from "./exit-codes.js";

export interface ReportFileJson {
  readonly taskStatus: string;
  readonly index: number;
  readonly key: string;
  readonly bytes: number;
  readonly md5?: string;
  readonly completed: boolean;
}

export interface ReportJson {
  readonly jobId: string;
  readonly manifest?: { readonly key: string } & Record<string, unknown>;
  readonly files: readonly ReportFileJson[];
}

export interface DownloadedFile {
  readonly path: string;
  readonly bytes: number;
}

const MANIFEST_NAME = "manifest.json";

/** The last segment of a results file's key, when it is a file name that stays in the directory it is joined to. */
export function localFileName(key: string): string | undefined {
  const name = key.slice(key.lastIndexOf("/") + 1);
  if (name === "" || name === "." || name === ".." || name === MANIFEST_NAME) return undefined;
  if (Buffer.byteLength(name) > 255) return undefined;
  // Separators of any platform, NUL and control characters, and ':' (a Windows drive or alternate data stream).
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  if (/[\\/:\u0000-\u001f\u007f]/.test(name)) return undefined;
  return name;
}

export async function downloadReport(api: ApiClient, report: ReportJson, dir: string): Promise<DownloadedFile[]> {
  const files = report.files.filter((f) => f.completed);
  const names = new Map<ReportFileJson, string>();
  for (const file of files) {
    const name = localFileName(file.key);
    if (name === undefined || [...names.values()].includes(name)) {
      throw new CliError(
        `the server named a results file ${JSON.stringify(file.key)}, which is not a file name objbatch can ` +
          `write into ${dir} safely; nothing was downloaded`,
        EXIT.serverError,
      );
    }
    if (!["succeeded", "failed"].includes(file.taskStatus) || !Number.isSafeInteger(file.index) || file.index < 0) {
      throw new CliError(`the report lists a results file objbatch cannot ask for (${file.key})`, EXIT.serverError);
    }
    names.set(file, name);
  }
  await mkdir(dir, { recursive: true }).catch((e: NodeJS.ErrnoException) => {
    throw new CliError(`cannot create the directory ${dir}: ${e.code ?? e.message}`);
  });
  const root = await realpath(dir);
  const written: DownloadedFile[] = [];
  for (const [file, name] of names) {
    const response = await api.stream({
      method: "GET",
      path: jobPath(report.jobId, "report", "files", file.taskStatus, String(file.index)),
    });
    const md5 = createHash("md5");
    let bytes = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        md5.update(chunk);
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    const path = await writeInto(root, name, async (out) => {
      await pipeline(response, count, out);
      if (bytes !== file.bytes || (file.md5 !== undefined && md5.digest("hex") !== file.md5)) {
        throw new CliError(
          `the results file ${file.key} arrived with ${bytes} bytes, not the ${file.bytes} bytes and MD5 the ` +
            "report lists; run the command again",
          EXIT.serverError,
        );
      }
    });
    written.push({ path, bytes });
  }
  if (report.manifest !== undefined) {
    const { key: _key, ...contents } = report.manifest;
    const text = `${JSON.stringify(contents, null, 2)}\n`;
    const path = await writeInto(root, MANIFEST_NAME, async (out) => {
      await pipeline([text], out);
    });
    written.push({ path, bytes: Buffer.byteLength(text) });
  }
  return written;
}

/** Writes `name` in `root` through a temporary file created there (never an existing path), renamed into place. */
async function writeInto(
  root: string,
  name: string,
  write: (out: NodeJS.WritableStream) => Promise<void>,
): Promise<string> {
  const path = join(root, name);
  const inside = relative(root, path);
  if (inside === "" || inside.startsWith(`..${sep}`) || inside === ".." || inside.includes(sep)) {
    throw new CliError(`refusing to write ${JSON.stringify(name)} outside ${root}`, EXIT.serverError);
  }
  const temporary = join(root, `.${name}.${randomBytes(6).toString("hex")}.partial`);
  const handle = await open(temporary, "wx", 0o644).catch((e: NodeJS.ErrnoException) => {
    throw new CliError(`cannot write into ${root}: ${e.code ?? e.message}`);
  });
  try {
    await write(handle.createWriteStream());
    await rename(temporary, path);
    return path;
  } catch (e) {
    await rm(temporary, { force: true });
    if (e instanceof CliError) throw e;
    throw new CliError(`downloading ${name} into ${root} failed: ${(e as Error).message}`, EXIT.serverError);
  } finally {
    await handle.close().catch(() => undefined);
  }
}
