/** Step 2: what to do with each object, and that operation's settings, each explained. */
import { Field } from "./Field";
import { defaultSettings, OPERATIONS, type WizardState } from "./model";

export function OperationStep({ state, set }: { state: WizardState; set: (change: Partial<WizardState>) => void }) {
  const spec = OPERATIONS.find((o) => o.kind === state.operation) ?? OPERATIONS[0]!;
  const setting = (name: string, value: string) => set({ settings: { ...state.settings, [name]: value } });
  return (
    <fieldset className="step">
      <legend>What to do with each object?</legend>
      <Field label="Operation" help={spec.help}>
        {(p) => (
          <select
            {...p}
            value={state.operation}
            onChange={(e) => set({ operation: e.target.value, settings: defaultSettings(e.target.value) })}
          >
            {OPERATIONS.map((o) => (
              <option key={o.kind} value={o.kind}>
                {o.title} ({o.kind})
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="grid">
        {spec.fields.map((f) => (
          <Field key={`${spec.kind}.${f.name}`} label={f.required ? `${f.label} (required)` : f.label} help={f.help}>
            {(p) => {
              const value = state.settings[f.name] ?? "";
              switch (f.type) {
                case "select":
                  return (
                    <select {...p} value={value || f.options![0]} onChange={(e) => setting(f.name, e.target.value)}>
                      {f.options!.map((o) => (
                        <option key={o} value={o}>
                          {o === "" ? "(default)" : o}
                        </option>
                      ))}
                    </select>
                  );
                case "lines":
                  return <textarea {...p} rows={4} value={value} onChange={(e) => setting(f.name, e.target.value)} />;
                case "checkbox":
                  return (
                    <input
                      {...p}
                      type="checkbox"
                      checked={value === "true"}
                      onChange={(e) => setting(f.name, String(e.target.checked))}
                    />
                  );
                default:
                  return (
                    <input
                      {...p}
                      type={f.type}
                      min={f.type === "number" ? 0 : undefined}
                      value={value}
                      required={f.required}
                      onChange={(e) => setting(f.name, e.target.value)}
                    />
                  );
              }
            }}
          </Field>
        ))}
      </div>
    </fieldset>
  );
}
