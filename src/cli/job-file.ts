/**
 * Reads the job a user wrote for `objbatch jobs create --file`: the JSON API's CreateJobRequest (the body of
 * POST /api/v1/jobs), as JSON, or as YAML (the `yaml` package, YAML 1.2) when the file is named .yaml or .yml.
 * `-` reads standard input (YAML, which takes JSON too). The server validates the job; this only parses it.
 */
import { readFile } from "node:fs/promises";
import { CliError } from "./exit-codes.js";

export async function readJobFile(file: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<unknown> {
  let text: string;
  try {
    text = file === "-" ? await readAll(stdin) : await readFile(file, "utf8");
  } catch (e) {
    throw new CliError(
      `cannot read the job file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  const yaml = file === "-" || /\.ya?ml$/i.test(file);
  let job: unknown;
  try {
    // yaml is loaded only here, so the other commands start without it.
    job = yaml ? (await import("yaml")).parse(text) : JSON.parse(text);
  } catch (e) {
    throw new CliError(
      `the job file ${file} is not valid ${yaml ? "YAML" : "JSON"}: ${(e as Error).message.split("\n")[0]}`,
    );
  }
  if (typeof job !== "object" || job === null || Array.isArray(job)) {
    throw new CliError(
      `the job file ${file} must hold one job, an object with operation, manifest (or manifestGenerator) and report`,
    );
  }
  return job;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}
