/** Step 3: the completion report, the priority, the job's own description and tags, and confirmation. */
import { Field } from "./Field";
import type { WizardState } from "./model";

export function SettingsStep({ state, set }: { state: WizardState; set: (change: Partial<WizardState>) => void }) {
  return (
    <fieldset className="step">
      <legend>Report and settings</legend>
      <label className="check">
        <input
          type="checkbox"
          checked={state.reportEnabled}
          onChange={(e) => set({ reportEnabled: e.target.checked })}
        />
        Write a completion report (a CSV of every task's result, and what a rerun of the failures reads)
      </label>
      {state.reportEnabled && (
        <div className="grid">
          <Field label="Report bucket" help="The bucket the report is written to.">
            {(p) => (
              <input
                {...p}
                value={state.reportBucket}
                onChange={(e) => set({ reportBucket: e.target.value })}
                required
              />
            )}
          </Field>
          <Field label="Report prefix" help="The report goes under <prefix>/job-<id>/.">
            {(p) => <input {...p} value={state.reportPrefix} onChange={(e) => set({ reportPrefix: e.target.value })} />}
          </Field>
          <Field label="Report" help="Every task, or only the failed ones.">
            {(p) => (
              <select
                {...p}
                value={state.reportScope}
                onChange={(e) => set({ reportScope: e.target.value as WizardState["reportScope"] })}
              >
                <option value="AllTasks">Every task</option>
                <option value="FailedTasksOnly">Failed tasks only</option>
              </select>
            )}
          </Field>
        </div>
      )}
      <div className="grid">
        <Field label="Priority" help="0 to 2147483647; higher runs first.">
          {(p) => (
            <input
              {...p}
              type="number"
              min={0}
              value={state.priority}
              onChange={(e) => set({ priority: e.target.value })}
            />
          )}
        </Field>
        <Field label="Description" help="Shown in the jobs list (up to 256 characters).">
          {(p) => (
            <input
              {...p}
              maxLength={256}
              value={state.description}
              onChange={(e) => set({ description: e.target.value })}
            />
          )}
        </Field>
        <Field label="Job tags" help="Tags of the job itself, one key=value a line (filter the list by them).">
          {(p) => <textarea {...p} rows={2} value={state.tags} onChange={(e) => set({ tags: e.target.value })} />}
        </Field>
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={state.confirmationRequired}
          onChange={(e) => set({ confirmationRequired: e.target.checked })}
        />
        Wait for my confirmation before running it
      </label>
    </fieldset>
  );
}
