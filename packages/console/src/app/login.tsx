import { useEffect, useRef, useState } from 'preact/hooks';

/** The sign-in form: the API token, kept in this browser tab only. */
export function Login(props: { error: string | null; onSubmit(token: string): Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), [props.error]);

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    const token = String(new FormData(event.currentTarget as HTMLFormElement).get('token') ?? '').trim();
    if (token === '') return;
    setBusy(true);
    try {
      await props.onSubmit(token);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="login">
      <form onSubmit={submit} aria-labelledby="login-title" aria-describedby="login-hint">
        <h1 id="login-title">sentry-git console</h1>
        <p id="login-hint">
          Sign in with an API token of this server: <code>server.token</code> (admin),{' '}
          <code>server.read_token</code> (read-only) or one of <code>server.tokens</code>. It is kept in this
          tab only, until you sign out or close it.
        </p>
        <label for="token">API token</label>
        <input
          ref={input}
          id="token"
          name="token"
          type="password"
          required
          autocomplete="off"
          spellcheck={false}
          aria-invalid={props.error !== null ? 'true' : undefined}
          aria-describedby={props.error !== null ? 'login-error' : undefined}
        />
        {props.error !== null && (
          <p id="login-error" class="form-error" role="alert">
            {props.error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
