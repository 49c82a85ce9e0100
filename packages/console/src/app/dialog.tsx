import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from './api.js';

export interface DialogProps {
  title: string;
  /** The submit button's text. */
  confirm: string;
  /** Runs on submit; a throw is shown in the dialog, which stays open. */
  onSubmit(form: FormData): Promise<void>;
  onClose(): void;
  children: ComponentChildren;
  danger?: boolean;
}

/**
 * A modal form on the native `<dialog>`: the browser keeps the focus inside it, Escape closes it,
 * and the focus goes back to the button that opened it.
 */
export function Dialog({ title, confirm, onSubmit, onClose, children, danger }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // Set once this form is gone: the `close` event its closing queues must not close the next one.
  const gone = useRef(false);

  useEffect(() => {
    const dialog = ref.current!;
    const opener = document.activeElement as HTMLElement | null;
    const openerLabel = opener?.getAttribute('aria-label');
    dialog.showModal();
    return () => {
      gone.current = true;
      if (dialog.open) dialog.close();
      // A live update may have drawn the table again while the form was open: the button that
      // opened it is then a new element with the same label.
      const back =
        opener?.isConnected || !openerLabel
          ? opener
          : document.querySelector<HTMLElement>(`[aria-label="${CSS.escape(openerLabel)}"]`);
      back?.focus();
    };
  }, []);

  function close() {
    if (!gone.current) onClose();
  }

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit(new FormData(event.currentTarget as HTMLFormElement));
      onClose();
    } catch (failure) {
      setError(describeError(failure));
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={ref}
      aria-labelledby="dialog-title"
      // Escape: the console closes it by state, so a form opened again is a new one.
      onCancel={(event) => {
        event.preventDefault();
        close();
      }}
      onClose={close}
    >
      <form onSubmit={submit}>
        <h2 id="dialog-title">{title}</h2>
        {children}
        {error !== null && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-buttons">
          <button type="button" onClick={close}>
            Close
          </button>
          <button type="submit" class={danger ? 'danger' : 'primary'} disabled={busy}>
            {busy ? `${confirm}…` : confirm}
          </button>
        </div>
      </form>
    </dialog>
  );
}
