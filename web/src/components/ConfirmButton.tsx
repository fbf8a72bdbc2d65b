/**
 * A button for what cannot be undone (cancel, delete, rerun): it opens a modal <dialog> that says what will
 * happen and asks; the action runs only on "yes". The dialog is the browser's own, so focus, Escape and
 * screen readers behave as they should.
 */
import { type ReactNode, useRef } from "react";

export function ConfirmButton({
  label,
  title,
  children,
  confirmLabel,
  onConfirm,
  disabled,
  danger = false,
}: {
  label: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
  danger?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  return (
    <>
      <button
        type="button"
        className={danger ? "danger" : undefined}
        disabled={disabled}
        onClick={() => dialog.current?.showModal()}
      >
        {label}
      </button>
      <dialog ref={dialog} aria-label={title} className="confirm">
        <form method="dialog">
          <h2>{title}</h2>
          <div>{children}</div>
          <div className="dialog-buttons">
            <button type="submit" value="no" className="quiet">
              Keep it
            </button>
            <button type="submit" value="yes" className={danger ? "danger" : undefined} onClick={() => onConfirm()}>
              {confirmLabel}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
