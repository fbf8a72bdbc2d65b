/**
 * The new-job wizard: which objects, what to do with them, the report and settings, then the server's preview,
 * and only then the job is created (POST /jobs) and its page opened. A CSV chosen here is uploaded first (POST
 * /manifests, D38). What the API refuses is shown with the step each field belongs to, in the API's words.
 */
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useLocation } from "wouter";
import { ApiError, type CreateJobRequest, call, type JobJson, type JobPreviewJson, uploadManifest } from "../api";
import { defaultSettings, INITIAL, jobRequestOf, listingOf, manifestOf, type WizardState } from "../wizard/model";
import { ObjectsStep } from "../wizard/ObjectsStep";
import { OperationStep } from "../wizard/OperationStep";
import { PreviewView } from "../wizard/PreviewStep";
import { SettingsStep } from "../wizard/SettingsStep";

const STEPS = ["Objects", "Operation", "Report and settings", "Preview"] as const;

/** The step a problem's JSON pointer belongs to. */
function stepOf(pointer: string): number {
  if (pointer.startsWith("/manifest") || pointer.startsWith("?bucket")) return 0;
  if (pointer.startsWith("/operation")) return 1;
  return 2;
}

export function NewJobPage() {
  const [, navigate] = useLocation();
  const [state, setState] = useState<WizardState>({ ...INITIAL, settings: defaultSettings(INITIAL.operation) });
  const [step, setStep] = useState(0);
  const [job, setJob] = useState<CreateJobRequest | null>(null);
  const set = (change: Partial<WizardState>) => {
    setState((s) => ({ ...s, ...change }));
    setJob(null);
  };

  /** The job as the API will get it; an upload happens here, once per file. */
  const prepare = useMutation({
    mutationFn: async (): Promise<{ job: CreateJobRequest; preview: JobPreviewJson }> => {
      let source: ReturnType<typeof listingOf>;
      if (state.source === "listing") source = listingOf(state);
      else if (state.source === "manifest") {
        source = manifestOf(state, { bucket: state.manifestBucket.trim(), key: state.manifestKey.trim() });
      } else {
        if (state.uploadFile === null) throw new Error("Choose the CSV file to upload.");
        const uploaded = await uploadManifest(state.uploadBucket.trim(), state.uploadFile);
        source = manifestOf(state, { bucket: uploaded.bucket, key: uploaded.key, etag: uploaded.etag });
      }
      const request = jobRequestOf(state, source);
      const preview = await call<JobPreviewJson>("POST", "/jobs/preview", request);
      return { job: request, preview };
    },
    onSuccess: ({ job }) => setJob(job),
  });
  const create = useMutation({
    mutationFn: (request: CreateJobRequest) => call<JobJson>("POST", "/jobs", request),
    onSuccess: (created) => navigate(`/jobs/${encodeURIComponent(created.jobId)}`),
  });

  const next = (e: FormEvent) => {
    e.preventDefault();
    if (step < 2) setStep(step + 1);
    else {
      setStep(3);
      prepare.mutate();
    }
  };
  const error = prepare.error ?? create.error;
  const problems = error instanceof ApiError ? (error.problem.errors ?? []) : [];

  return (
    <section aria-labelledby="new-title" className="wizard">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link href="/">Jobs</Link> / New job
      </nav>
      <h1 id="new-title">New job</h1>
      <ol className="stepper">
        {STEPS.map((name, i) => (
          <li key={name} aria-current={i === step ? "step" : undefined} className={i < step ? "done" : undefined}>
            {i < step ? (
              <button type="button" className="link" onClick={() => setStep(i)}>
                {i + 1}. {name}
              </button>
            ) : (
              <span>
                {i + 1}. {name}
              </span>
            )}
          </li>
        ))}
      </ol>

      <form onSubmit={next} className="card">
        {step === 0 && <ObjectsStep state={state} set={set} />}
        {step === 1 && <OperationStep state={state} set={set} />}
        {step === 2 && <SettingsStep state={state} set={set} />}
        {step === 3 && prepare.isPending && <p className="loading">Reading the objects…</p>}
        {step === 3 && prepare.data && job !== null && <PreviewView preview={prepare.data.preview} />}

        {error && (
          <div role="alert" className="error problems">
            <p>{error.message}</p>
            {problems.length > 0 && (
              <ul>
                {problems.map((p) => (
                  <li key={`${p.pointer}:${p.detail}`}>
                    <button type="button" className="link" onClick={() => setStep(stepOf(p.pointer))}>
                      {STEPS[stepOf(p.pointer)]}
                    </button>
                    : <span className="mono">{p.pointer}</span> {p.detail}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}

        <div className="wizard-buttons">
          {step > 0 && (
            <button type="button" className="quiet" onClick={() => setStep(step - 1)}>
              Back
            </button>
          )}
          {step < 2 && <button type="submit">Next</button>}
          {step === 2 && <button type="submit">Preview</button>}
          {step === 3 && (
            <button
              type="button"
              disabled={job === null || create.isPending}
              onClick={() => job !== null && create.mutate(job)}
            >
              {create.isPending ? "Creating…" : "Create job"}
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
