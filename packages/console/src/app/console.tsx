import { useEffect, useMemo, useState } from 'preact/hooks';
import { createActionCalls, type Notice } from './actions.js';
import { type Api, describeError } from './api.js';
import type { Run } from './api-types.js';
import { type Actions, ConsoleContext, targetLabel, type UnitTarget } from './context.js';
import { DeployDialog } from './deploy-dialog.js';
import type { FeedState } from './events.js';
import { Groups } from './groups.js';
import { createLiveData } from './live-data.js';
import { ReasonDialog } from './reason-dialog.js';
import { Repositories } from './repositories.js';
import { runHref, useRoute } from './route.js';
import { RunPage } from './run-page.js';
import { Runs } from './runs.js';
import type { Session } from './session.js';

/** The open form; `key` is new at each opening, so each one starts afresh. */
type OpenDialog = { key: number } & (
  | { kind: 'deploy'; repository: string | undefined }
  | { kind: 'cancel'; run: Run }
  | { kind: 'pause'; target: UnitTarget }
);

function useNow(): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function Live({ feed }: { feed: FeedState }) {
  const text = {
    connecting: 'Connecting…',
    live: 'Live',
    reconnecting: 'Reconnecting…',
    stopped: 'Not live',
  }[feed.state];
  const detail =
    feed.state === 'reconnecting'
      ? `Live updates lost (${feed.reason}); next try in ${Math.round(feed.retryInMs / 1000)} s.`
      : feed.state === 'stopped'
        ? feed.reason
        : undefined;
  return (
    <span class={`live live-${feed.state}`} title={detail} data-feed={feed.state}>
      <span aria-hidden="true">● </span>
      {text}
      {detail && <span class="visually-hidden"> {detail}</span>}
    </span>
  );
}

/** `admin`, `deployer (admin)`, `read-only`, …: who the token is, and what it may do. */
function whoLabel(who: Session['who']): string {
  if (who.role === 'anonymous') return 'not signed in (read-only)';
  const role = who.role === 'read' ? 'read-only' : who.role;
  return who.name === who.role ? role : `${who.name} (${role})`;
}

function RoleNote({ session }: { session: Session }) {
  if (session.who.role === 'read') {
    return <p class="note">Signed in with a read-only token: the buttons that act are hidden.</p>;
  }
  if (session.who.role === 'anonymous') {
    return (
      <p class="note">
        This server has no API token configured: reading is open, every action is refused. Set{' '}
        <code>server.token</code> to use the buttons.
      </p>
    );
  }
  return null;
}

/** The signed-in console: header, notices, the current view, the dialogs. */
export function ConsoleView({ session, onSignOut }: { session: Session; onSignOut(): void }) {
  const api: Api = session.api;
  const data = useMemo(() => createLiveData(api), [api]);
  const calls = useMemo(() => createActionCalls(api, data), [api, data]);
  const [, setVersion] = useState(0);
  const [dialog, setDialog] = useState<OpenDialog | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const now = useNow();
  const route = useRoute();

  useEffect(() => data.subscribe(() => setVersion((version) => version + 1)), [data]);
  useEffect(() => {
    const controller = new AbortController();
    data.start(controller.signal);
    return () => controller.abort();
  }, [data]);
  useEffect(() => {
    document.getElementById('page-title')?.focus();
  }, [route.view, route.view === 'run' ? route.runId : '']);

  async function report(what: string, call: () => Promise<Notice>): Promise<void> {
    try {
      setNotice(await call());
    } catch (error) {
      setNotice({ kind: 'error', text: `${what} failed: ${describeError(error)}` });
    }
  }

  function opened(notice: Notice, run: Run) {
    setNotice(notice);
    location.hash = runHref(run.id);
  }

  const actions: Actions = {
    trigger: (target) => report(`Trigger of ${targetLabel(target)}`, () => calls.trigger(target)),
    cancel: (run) => setDialog({ key: Date.now(), kind: 'cancel', run }),
    rerun: (run) =>
      calls.rerun(run).then(
        (done) => opened(done.notice, done.run),
        (error) => setNotice({ kind: 'error', text: `Re-run of ${run.id} failed: ${describeError(error)}` }),
      ),
    deploy: (repository) => setDialog({ key: Date.now(), kind: 'deploy', repository }),
    pause: (target) => setDialog({ key: Date.now(), kind: 'pause', target }),
    resume: (target) => report(`Resume of ${targetLabel(target)}`, () => calls.resume(target)),
  };

  const state = data.get();
  const canAct = session.who.role === 'admin';
  const store = state.status?.stateStore;
  return (
    <ConsoleContext.Provider value={{ api, data, canAct, actions, now }}>
      <button type="button" class="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <h1>
          <a href="#/">sentry-git</a>
        </h1>
        <Live feed={state.feed} />
        <span class="who">{whoLabel(session.who)}</span>
        {canAct && (
          <button type="button" onClick={() => actions.deploy()}>
            Deploy…
          </button>
        )}
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <RoleNote session={session} />
        {store && !store.writable && (
          <p class="form-error" role="alert">
            The state store refuses writes: nothing new is recorded or deployed until it does.{' '}
            {store.lastError ?? ''}
          </p>
        )}
        {state.error !== null && (
          <p class="form-error" role="alert">
            {state.error}
          </p>
        )}
        <div class={`notice notice-${notice?.kind ?? 'none'}`} role="status">
          {notice && (
            <>
              {notice.text} {notice.href && <a href={notice.href}>Open the run</a>}{' '}
              <button
                type="button"
                class="link"
                onClick={() => setNotice(null)}
                aria-label="Dismiss the message"
              >
                ×
              </button>
            </>
          )}
        </div>
        {route.view === 'run' ? (
          <RunPage runId={route.runId} jobId={route.jobId} />
        ) : state.status === null ? (
          <p class="muted">{state.error === null ? 'Loading…' : ''}</p>
        ) : (
          <>
            <h2 id="page-title" class="visually-hidden" tabIndex={-1}>
              Overview
            </h2>
            <Repositories repositories={state.status.repositories} />
            <Groups groups={state.status.groups} />
            <Runs />
          </>
        )}
      </main>
      {dialog?.kind === 'deploy' && (
        <DeployDialog
          key={dialog.key}
          repositories={state.status?.repositories ?? []}
          repository={dialog.repository}
          onClose={() => setDialog(null)}
          onSubmit={async (input) => {
            const done = await calls.deploy(input);
            opened(done.notice, done.run);
          }}
        />
      )}
      {dialog?.kind === 'cancel' && (
        <ReasonDialog
          key={dialog.key}
          title={`Cancel run ${dialog.run.id}?`}
          confirm="Cancel the run"
          onClose={() => setDialog(null)}
          onSubmit={async (reason) => setNotice(await calls.cancel(dialog.run, reason))}
        >
          <p>
            A queued run never starts. A running one has its jobs stopped (a shell job's whole process group
            is killed) and ends <strong>cancelled</strong>.
          </p>
        </ReasonDialog>
      )}
      {dialog?.kind === 'pause' && (
        <ReasonDialog
          key={dialog.key}
          title={`Pause ${targetLabel(dialog.target)}?`}
          confirm="Pause"
          onClose={() => setDialog(null)}
          onSubmit={async (reason) => setNotice(await calls.pause(dialog.target, reason))}
        >
          <p>
            Its branches are still polled and their changes recorded, but nothing of it deploys until it is
            resumed (then one run deploys the latest heads). A run already going on finishes.
          </p>
        </ReasonDialog>
      )}
    </ConsoleContext.Provider>
  );
}
