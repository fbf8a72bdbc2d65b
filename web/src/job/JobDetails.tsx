/**
 * Every field the job was created with and its timers: the operation and its settings, where its tasks come
 * from (a manifest, or a listing and its filter), the report, the role, the API that created it, its tags (edited
 * here) and the reasons of its last status change.
 */
import { type FormEvent, type ReactNode, useState } from "react";
import type { JobJson } from "../api";
import { instant } from "../format";
import { useJobMutations } from "./actions";

const DIALECTS: Record<JobJson["dialect"], string> = {
  cos: "Tencent COS job API",
  oss: "Alibaba OSS job API",
  s3control: "AWS S3 Control job API",
  json: "objbatch JSON API",
  gcs: "Google Cloud Storage batch operations API",
};

function settingsOf(job: JobJson): [string, string][] {
  const { kind, ...rest } = job.operation as { kind: string } & Record<string, unknown>;
  return Object.entries(rest).map(([name, value]) => [
    name,
    typeof value === "string" || typeof value === "number" || typeof value === "boolean"
      ? String(value)
      : JSON.stringify(value),
  ]);
}

function Field({ name, children, mono, sub }: { name: string; children: ReactNode; mono?: boolean; sub?: boolean }) {
  return (
    <div className={sub ? "field sub-field" : "field"}>
      <dt>{name}</dt>
      <dd className={mono ? "mono" : undefined}>{children}</dd>
    </div>
  );
}

export function JobDetails({ job }: { job: JobJson }) {
  const m = useJobMutations(job.jobId);
  const [tags, setTags] = useState(job.tags.map((t) => `${t.key}=${t.value}`).join("\n"));
  const [tagError, setTagError] = useState<string | undefined>(undefined);
  const saveTags = (e: FormEvent) => {
    e.preventDefault();
    const lines = tags
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "");
    const bad = lines.find((l) => l.indexOf("=") <= 0);
    if (bad !== undefined) {
      setTagError(`"${bad}" is not key=value.`);
      return;
    }
    setTagError(undefined);
    m.tags.mutate(lines.map((l) => ({ key: l.slice(0, l.indexOf("=")), value: l.slice(l.indexOf("=") + 1) })));
  };
  const source = job.manifest
    ? `${job.manifest.format} manifest at ${job.manifest.location.bucket} / ${job.manifest.location.key}` +
      ` (columns ${job.manifest.fields.join(", ") || "from the inventory"})`
    : job.manifestGenerator
      ? `every object of ${job.manifestGenerator.sourceBucket}${
          job.manifestGenerator.filter ? ` matching ${JSON.stringify(job.manifestGenerator.filter)}` : ""
        }${job.manifestGenerator.prefix ? ` under ${job.manifestGenerator.prefix}` : ""}`
      : "";
  const report = job.report.enabled
    ? `${job.report.bucket}${job.report.prefix ? ` / ${job.report.prefix}` : ""}, ${
        job.report.scope === "FailedTasksOnly" ? "failed tasks only" : "every task"
      }`
    : "none";

  return (
    <section aria-labelledby="details-title" className="panel">
      <h2 id="details-title">Details</h2>
      <dl className="fields">
        <Field name="Job id" mono>
          {job.jobId}
        </Field>
        <Field name="Operation">{job.operation.kind}</Field>
        {settingsOf(job).map(([name, value]) => (
          <Field key={name} name={name} mono sub>
            {value}
          </Field>
        ))}
        <Field name="Objects">{source}</Field>
        <Field name="Report">{report}</Field>
        <Field name="Priority">{job.priority}</Field>
        <Field name="Role" mono>
          {job.roleArn || "(none)"}
        </Field>
        <Field name="Created through">{DIALECTS[job.dialect]}</Field>
        <Field name="Client request token" mono>
          {job.clientRequestToken}
        </Field>
        <Field name="Confirmation required">{job.confirmationRequired ? "yes" : "no"}</Field>
        {job.dryRun && <Field name="Dry run">yes: each task is counted and not acted on</Field>}
        <Field name="Created">{instant(job.creationTime)}</Field>
        {job.suspendedTime && (
          <Field name="Suspended">
            {instant(job.suspendedTime)} {job.suspendedCause ? `(${job.suspendedCause})` : ""}
          </Field>
        )}
        {job.terminationTime && <Field name="Ended">{instant(job.terminationTime)}</Field>}
        {job.statusUpdateReason && <Field name="Last status change">{job.statusUpdateReason}</Field>}
      </dl>
      <form onSubmit={saveTags} className="tags-form">
        <label>
          Tags, one key=value a line
          <textarea rows={Math.max(2, job.tags.length + 1)} value={tags} onChange={(e) => setTags(e.target.value)} />
        </label>
        {(tagError ?? m.tags.error) && (
          <p role="alert" className="error">
            {tagError ?? (m.tags.error as Error).message}
          </p>
        )}
        <button type="submit" className="quiet" disabled={m.tags.isPending}>
          Save tags
        </button>
        {m.tags.isSuccess && <span className="hint"> Saved.</span>}
      </form>
    </section>
  );
}
