import type { ComponentChildren } from 'preact';
import { Dialog } from './dialog.js';

/** A confirmation that takes an optional reason, recorded with the action (a cancel, a pause). */
export function ReasonDialog(props: {
  title: string;
  confirm: string;
  children: ComponentChildren;
  onSubmit(reason: string | undefined): Promise<void>;
  onClose(): void;
}) {
  return (
    <Dialog
      title={props.title}
      confirm={props.confirm}
      danger
      onClose={props.onClose}
      onSubmit={(form) => {
        const reason = String(form.get('reason') ?? '').trim();
        return props.onSubmit(reason === '' ? undefined : reason);
      }}
    >
      {props.children}
      <label for="action-reason">Reason (optional, recorded with the action)</label>
      <input id="action-reason" name="reason" maxLength={500} autocomplete="off" />
    </Dialog>
  );
}
