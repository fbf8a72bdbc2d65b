/** A labelled control with its explanation read out with it (aria-describedby). */
import { type ReactNode, useId } from "react";

export function Field({
  label,
  help,
  children,
}: {
  label: string;
  help?: string;
  children: (props: { id: string; "aria-describedby"?: string }) => ReactNode;
}) {
  const id = useId();
  const helpId = `${id}-help`;
  return (
    <div className="field-control">
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(help ? { "aria-describedby": helpId } : {}) })}
      {help && (
        <p id={helpId} className="hint small">
          {help}
        </p>
      )}
    </div>
  );
}
