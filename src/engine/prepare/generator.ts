/**
 * Preparing a manifest generator (S3JobManifestGenerator, OSS KeyPrefixManifestGenerator): the source
 * bucket's listing is streamed through the filter (manifest/generator-filter.ts) into inline chunks; with
 * EnableManifestOutput the selected objects are also written as an S3InventoryReport_CSV_20211130 report
 * (manifest/generated-manifest-writer.ts) and Job.generatedManifest points at it.
 */
import type { ManifestGenerator } from "../../domain/job.js";
import { ManifestError } from "../../manifest/errors.js";
import { GENERATED_MANIFEST_FORMAT, GeneratedManifestWriter } from "../../manifest/generated-manifest-writer.js";
import { compileFilter, listingPrefixes } from "../../manifest/generator-filter.js";
import { inlineTask } from "../../manifest/inline-tasks.js";
import { failureWhile, JobFailureError } from "../errors.js";
import { checkBucketExists, checkExpectedOwner, checkReportBucket } from "./checks.js";
import { InlineChunkWriter } from "./inline-chunk-writer.js";
import { ABANDONED, type PrepareOutcome, type PrepareRun } from "./run.js";

export async function prepareGenerated(run: PrepareRun, generator: ManifestGenerator): Promise<PrepareOutcome> {
  const { job, storage } = run.context;
  const source = generator.sourceBucket.bucket;
  checkExpectedOwner(job, generator.expectedBucketOwner, `source bucket ${source}`);
  const output = manifestOutput(generator);
  if (output) {
    checkExpectedOwner(job, output.expectedManifestBucketOwner, `manifest output bucket ${output.bucket.bucket}`);
    if (output.manifestFormat !== GENERATED_MANIFEST_FORMAT) {
      throw new JobFailureError(
        "InvalidManifestGenerator",
        `The manifest output format ${output.manifestFormat} is not supported; use ${GENERATED_MANIFEST_FORMAT}.`,
      );
    }
    await checkBucketExists(storage, output.bucket, "manifest output bucket");
  }
  const matches = compileFilter(generator.filter);
  await checkBucketExists(storage, generator.sourceBucket, "source bucket");
  await checkReportBucket(run.context);

  const chunks = new InlineChunkWriter(run);
  const writer = output
    ? new GeneratedManifestWriter(storage, {
        jobId: run.jobId,
        sourceBucket: source,
        bucket: output.bucket,
        prefix: output.manifestPrefix,
        now: run.deps.now,
      })
    : undefined;
  try {
    for (const prefix of listingPrefixes(generator)) {
      for await (const object of storage.list(source, prefix === "" ? {} : { prefix })) {
        if (!matches(object)) continue;
        const added = chunks.add(inlineTask(source, object.key, listedVersion(object.versionId)));
        if (added) await added;
        if (writer) await writer.add(object);
      }
    }
    if (chunks.total === 0) throw noMatchingKeys(generator);
    const lastChunks = chunks.end();
    const generated = writer ? await writer.finish() : undefined;
    return { total: chunks.total, chunks: chunks.chunks, etag: null, generated, lastChunks };
  } catch (e) {
    await writer?.abort();
    if (e === ABANDONED) return "abandoned";
    throw failureWhile(e, `Generating the manifest from bucket ${source} failed`);
  }
}

/** Where the generated manifest goes, when the generator asks for one (EnableManifestOutput). */
function manifestOutput(generator: ManifestGenerator) {
  if (!generator.enableManifestOutput) return undefined;
  if (!generator.manifestOutputLocation) {
    throw new JobFailureError(
      "InvalidManifestGenerator",
      "EnableManifestOutput is true but the generator has no ManifestOutputLocation.",
    );
  }
  return generator.manifestOutputLocation;
}

/** AWS fails a job whose generator matched nothing the same way. */
function noMatchingKeys(generator: ManifestGenerator): ManifestError {
  const source = generator.sourceBucket.bucket;
  return new ManifestError(
    "NoMatchingKeys",
    generator.kind === "KeyPrefixManifestGenerator"
      ? `No keys found with the prefix "${generator.prefix ?? ""}" in bucket ${source}.`
      : `No keys found in bucket ${source} matching the filter criteria.`,
  );
}

/** Listings of unversioned stores say "null" or nothing: the task then acts on the current version. */
export function listedVersion(versionId: string | undefined): string | undefined {
  return versionId === undefined || versionId === "" || versionId === "null" ? undefined : versionId;
}
