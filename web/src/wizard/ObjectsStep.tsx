/** Step 1: which objects: a manifest in a bucket, a CSV file uploaded from here, or a bucket's listing filtered. */

import { Field } from "./Field";
import type { WizardState } from "./model";

const FORMATS = [
  "S3BatchOperations_CSV_20180820",
  "COSBatchOperations_CSV_V1",
  "OSS_BatchOperations_CSV_20250611",
  "S3InventoryReport_CSV_20161130",
  "COSInventoryReport_CSV_V1",
  "OSS_InventoryReport_CSV_20250611",
];

export function ObjectsStep({ state, set }: { state: WizardState; set: (change: Partial<WizardState>) => void }) {
  const text = (name: keyof WizardState) => ({
    value: String(state[name] ?? ""),
    onChange: (e: { target: { value: string } }) => set({ [name]: e.target.value } as Partial<WizardState>),
  });
  return (
    <fieldset className="step">
      <legend>Which objects?</legend>
      <div className="choices" role="radiogroup" aria-label="Where the objects come from">
        {(
          [
            ["listing", "Every object under a prefix", "objbatch lists the bucket, with the filters you choose."],
            ["manifest", "A manifest in a bucket", "A CSV of bucket,key rows, or an inventory's manifest.json."],
            ["upload", "Upload a CSV manifest", "A file from this computer, stored in a bucket for the job."],
          ] as const
        ).map(([kind, title, help]) => (
          <label key={kind} className={`choice${state.source === kind ? " chosen" : ""}`}>
            <input
              type="radio"
              name="source"
              value={kind}
              checked={state.source === kind}
              onChange={() => set({ source: kind })}
            />
            <span>
              <strong>{title}</strong>
              <span className="hint small">{help}</span>
            </span>
          </label>
        ))}
      </div>

      {state.source === "listing" && (
        <div className="grid">
          <Field label="Bucket" help="The bucket to list.">
            {(p) => <input {...p} {...text("listingBucket")} required />}
          </Field>
          <Field label="Prefix" help="Only keys starting with it; empty lists the whole bucket.">
            {(p) => <input {...p} {...text("listingPrefix")} />}
          </Field>
          <Field label="Keys ending with" help="Any of these, comma separated (.jpg, .png).">
            {(p) => <input {...p} {...text("suffixes")} />}
          </Field>
          <Field label="Keys containing" help="Any of these, comma separated.">
            {(p) => <input {...p} {...text("contains")} />}
          </Field>
          <Field label="Larger than" help="Bytes, or 10MB, 1GiB.">
            {(p) => <input {...p} {...text("largerThan")} />}
          </Field>
          <Field label="Smaller than" help="Bytes, or 10MB, 1GiB.">
            {(p) => <input {...p} {...text("smallerThan")} />}
          </Field>
          <Field label="Modified after" help="Only objects last modified after this day.">
            {(p) => <input {...p} type="date" {...text("createdAfter")} />}
          </Field>
          <Field label="Modified before" help="Only objects last modified before this day.">
            {(p) => <input {...p} type="date" {...text("createdBefore")} />}
          </Field>
          <Field label="Storage classes" help="Any of these, comma separated (STANDARD, GLACIER).">
            {(p) => <input {...p} {...text("storageClasses")} />}
          </Field>
        </div>
      )}

      {state.source === "manifest" && (
        <div className="grid">
          <Field label="Manifest bucket" help="The bucket the manifest is in.">
            {(p) => <input {...p} {...text("manifestBucket")} required />}
          </Field>
          <Field label="Manifest key" help="Its key, e.g. lists/photos.csv or an inventory's .../manifest.json.">
            {(p) => <input {...p} {...text("manifestKey")} required />}
          </Field>
          <ManifestShape state={state} text={text} />
        </div>
      )}

      {state.source === "upload" && (
        <div className="grid">
          <Field label="CSV file" help="Rows of bucket,key (keys URL-encoded), optionally a version id.">
            {(p) => (
              <input
                {...p}
                type="file"
                accept=".csv,text/csv"
                onChange={(e) => set({ uploadFile: e.target.files?.[0] ?? null })}
              />
            )}
          </Field>
          <Field label="Store it in bucket" help="The file is kept there as objbatch-manifests/<its SHA-256>.csv.">
            {(p) => <input {...p} {...text("uploadBucket")} required />}
          </Field>
          <ManifestShape state={state} text={text} />
        </div>
      )}
    </fieldset>
  );
}

function ManifestShape({
  state,
  text,
}: {
  state: WizardState;
  text: (name: keyof WizardState) => { value: string; onChange: (e: { target: { value: string } }) => void };
}) {
  return (
    <>
      <Field label="Format" help="S3's CSV unless it is COS's, OSS's, or an inventory.">
        {(p) => (
          <select {...p} {...text("manifestFormat")}>
            {FORMATS.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
        )}
      </Field>
      {!state.manifestFormat.includes("Inventory") && (
        <Field label="Columns" help="Bucket,Key, or Bucket,Key,VersionId.">
          {(p) => <input {...p} {...text("manifestFields")} />}
        </Field>
      )}
    </>
  );
}
