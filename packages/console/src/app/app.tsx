import { useEffect, useState } from 'preact/hooks';
import { describeError } from './api.js';
import { ConsoleView } from './console.js';
import { Login } from './login.js';
import { openSession, type Session, SignInError } from './session.js';
import { savedToken, saveToken, takeFragmentToken } from './token.js';

type Phase =
  | { kind: 'checking' }
  | { kind: 'login'; error: string | null }
  | { kind: 'in'; session: Session };

/**
 * Signs in with the token of a `#token=…` link or of this tab, else shows the form; a server
 * with no token at all lets the console in read-only without one.
 */
export function App() {
  const [phase, setPhase] = useState<Phase>({ kind: 'checking' });

  function signOut(error: string | null) {
    saveToken(sessionStorage, null);
    setPhase({ kind: 'login', error });
  }

  async function signIn(token: string | null, source: 'form' | 'link' | 'tab' | 'none'): Promise<void> {
    try {
      const session = await openSession(token, (error) =>
        signOut(`Signed out: the server refused the token (${describeError(error)}).`),
      );
      saveToken(sessionStorage, token);
      setPhase({ kind: 'in', session });
    } catch (error) {
      const refused = error instanceof SignInError && error.refused;
      if (refused) saveToken(sessionStorage, null);
      const from = { form: 'The token', link: "The link's token", tab: 'The saved token', none: '' }[source];
      const message = refused
        ? source === 'none'
          ? null
          : `${from} was refused: ${describeError(error)}`
        : `Signing in failed: ${describeError(error)}`;
      setPhase({ kind: 'login', error: message });
    }
  }

  useEffect(() => {
    const fromLink = takeFragmentToken(location, history);
    const fromTab = fromLink === null ? savedToken(sessionStorage) : null;
    void signIn(fromLink ?? fromTab, fromLink !== null ? 'link' : fromTab !== null ? 'tab' : 'none');
  }, []);

  if (phase.kind === 'checking') return <p class="muted checking">Connecting to sentry-git…</p>;
  if (phase.kind === 'login')
    return <Login error={phase.error} onSubmit={(token) => signIn(token, 'form')} />;
  return <ConsoleView session={phase.session} onSignOut={() => signOut(null)} />;
}
