import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type GitFixture, gate, gitdir, isProcessAlive } from '@sentry-git/test-utils';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  launchBrowser,
  message,
  newPage,
  READ_TOKEN,
  screenshot,
  startAgain,
  startWatch,
  stopWatch,
  type Watch,
} from './harness.js';

// The console as an operator uses it: Debian's Chromium (playwright-core) on the page a real
// `sentry-git watch` serves, over local Git repositories, the shell executor and SQLite. Every
// wait is for something to show or happen (a row, a line of output, a log line): no sleeps.

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** A repository `app` whose deploy runs `extra`, then appends its commit to $PROJECT_DIR/deploys.log. */
async function appWatch(extra: string[] = []): Promise<{ repo: GitFixture; watch: Watch; deploys: string }> {
  const repo = await gitdir({ branches: ['main'] });
  const watch = await startWatch({
    repositories: [
      {
        name: 'app',
        url: repo.url,
        commands: [
          'echo "deploying $SENTRY_COMMIT"',
          ...extra,
          'echo "$SENTRY_COMMIT" >> "$PROJECT_DIR/deploys.log"',
        ],
      },
    ],
  });
  await watch.waitForLog(
    (line) => message(line).startsWith('app: baseline recorded'),
    'the first poll of app',
  );
  return { repo, watch, deploys: path.join(watch.dir, 'deploys.log') };
}

async function deployed(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
}

/** Opens the console signed in (through the form) and waits for the repositories. */
async function signedIn(watch: Watch): Promise<Page> {
  const page = await newPage(browser);
  await page.goto(watch.url);
  await page.getByLabel('API token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('region', { name: 'Repositories' }).waitFor();
  return page;
}

function runRow(page: Page, runId: string) {
  return page.locator(`tr[data-run="${runId}"]`);
}

/** The status of a run in the runs list, once it reads `status`. */
function runStatus(page: Page, runId: string, status: string) {
  return runRow(page, runId).locator('td').nth(1).locator('.badge', { hasText: status });
}

/** The status of the run on its page, once it reads `status`. */
function runPageStatus(page: Page, status: string) {
  return page.locator('.facts .badge', { hasText: status });
}

/** The id of the run the watch logged as queued by `trigger` (after `since` log lines). */
async function queuedRun(watch: Watch, trigger: string, since = 0): Promise<string> {
  const line = await watch.waitForLog(
    (entry) =>
      watch.logs.indexOf(entry) >= since && entry.trigger === trigger && typeof entry.runId === 'string',
    `a ${trigger} run queued`,
  );
  return String(line.runId);
}

async function finished(watch: Watch, runId: string): Promise<string> {
  const line = await watch.waitForLog(
    (entry) =>
      entry.runId === runId && typeof entry.status === 'string' && message(entry).startsWith(`run ${runId}`),
    `run ${runId} finished`,
  );
  return String(line.status);
}

describe('the console in Chromium against sentry-git watch', () => {
  it('signs in with a #token link (then gone from the address bar), lists the repositories and groups, triggers a run', async () => {
    const app = await gitdir({ branches: ['main'], files: { 'app.txt': 'app\n' } });
    const web = await gitdir({ branches: ['main'], files: { 'web.txt': 'web\n' } });
    const api = await gitdir({ branches: ['main'], files: { 'api.txt': 'api\n' } });
    const watch = await startWatch({
      repositories: [
        { name: 'app', url: app.url, commands: ['echo "deploying app at $SENTRY_COMMIT"'] },
        { name: 'web', url: web.url, commands: ['echo web'], group: 'site' },
        { name: 'api', url: api.url, commands: ['echo "migrating the api"', 'exit 3'], group: 'site' },
      ],
      groups: { site: { execution_strategy: 'sequential' } },
    });
    await watch.waitForLog((line) => message(line).startsWith('api: baseline recorded'), 'the first poll');
    const page = await newPage(browser);
    await page.goto(`${watch.url}/#token=${ADMIN_TOKEN}`);

    const repositories = page.getByRole('region', { name: 'Repositories' });
    const appRow = repositories.getByRole('row', { name: /^app/ });
    const head = (await app.heads()).get('main')!;
    await expect.poll(() => appRow.textContent()).toContain(head.slice(0, 7));
    expect(await appRow.textContent()).toMatch(/watches main.*polling.*active/);
    // The token left the address bar (and the history entry) and stays in this tab only.
    expect(page.url()).toBe(`${watch.url}/`);
    expect(await page.evaluate('Object.values(sessionStorage)')).toEqual([ADMIN_TOKEN]);
    expect(await repositories.getByRole('row').count()).toBe(4);
    const site = page.getByRole('region', { name: 'Groups' }).getByRole('row', { name: /^site/ });
    expect(await site.textContent()).toMatch(/sequential.*web, api.*active/);
    expect(await page.getByRole('region', { name: 'Runs' }).textContent()).toContain('No run yet.');

    await page.getByRole('button', { name: 'Trigger app' }).click();
    const notice = page.getByRole('status').filter({ hasText: 'Triggered app' });
    await notice.waitFor();
    const runId = /queued (run_\S+)\./.exec((await notice.textContent()) ?? '')?.[1];
    expect(runId).toMatch(/^run_/);
    expect(await finished(watch, runId!)).toBe('succeeded');
    await runStatus(page, runId!, 'succeeded').waitFor();
    expect(await runRow(page, runId!).textContent()).toMatch(/api.*by admin/);

    // A group run whose second member fails: the run and the job say so, with the exit code.
    await page.getByRole('button', { name: 'Trigger group site' }).click();
    const groupNotice = page.getByRole('status').filter({ hasText: 'Triggered group site' });
    await groupNotice.waitFor();
    const groupRun = /queued (run_\S+)\./.exec((await groupNotice.textContent()) ?? '')?.[1];
    expect(await finished(watch, groupRun!)).toBe('failed');
    await runStatus(page, groupRun!, 'failed').waitFor();
    expect(await runRow(page, groupRun!).textContent()).toMatch(
      /group site.*web main.*succeeded.*api main.*failed/,
    );
    // Each member's last run reads as its own job: web's succeeded in the failed group run.
    const webRow = repositories.getByRole('row', { name: /^web/ });
    await webRow.locator('.badge', { hasText: 'succeeded' }).waitFor();
    await screenshot(page, 'overview');
    await runRow(page, groupRun!).getByRole('link', { name: /^api/ }).click();
    await page.getByRole('log', { name: 'Output of api main' }).getByText('migrating the api').waitFor();
    expect(await page.locator('tr[data-job]', { hasText: 'api' }).textContent()).toMatch(/failed.*3/);
    // The page never asked for a token in a URL: the server's log has none.
    expect(watch.logs.map((line) => JSON.stringify(line)).join('\n')).not.toContain(ADMIN_TOKEN);
  });

  it('signs in with the form: a wrong token is refused, the right one kept for the tab until sign-out', async () => {
    const { watch } = await appWatch();
    const page = await newPage(browser);
    await page.goto(watch.url);
    await screenshot(page, 'login');
    await page.getByLabel('API token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'The token was refused' }).waitFor();
    expect(await page.getByLabel('API token').getAttribute('aria-invalid')).toBe('true');

    // Keyboard only: type, Enter.
    await page.getByLabel('API token').fill(ADMIN_TOKEN);
    await page.keyboard.press('Enter');
    await page.getByRole('region', { name: 'Repositories' }).waitFor();
    expect(await page.locator('.who').textContent()).toBe('admin');
    await page.reload();
    await page.getByRole('region', { name: 'Repositories' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });

  it('shows a push as a run without a reload, and its job output live while the job runs', async () => {
    const hold = await gate();
    const { repo, watch } = await appWatch([
      'echo "first line"',
      `read _ < ${hold.path}`,
      'echo "after the gate"',
    ]);
    const page = await signedIn(watch);
    // Browser code as text: the tests are type-checked without the DOM's types.
    await page.evaluate('window.stayed = true');

    const since = watch.logs.length;
    const sha = await repo.commit('main');
    const runId = await queuedRun(watch, 'poll', since);
    await runRow(page, runId).waitFor();
    expect(await runRow(page, runId).textContent()).toContain('poll');
    await page.getByRole('region', { name: 'Repositories' }).getByText(sha.slice(0, 7)).waitFor();

    await runRow(page, runId).getByRole('link', { name: /^app/ }).click();
    const log = page.getByRole('log', { name: 'Output of app main' });
    await expect.poll(() => log.textContent(), { timeout: 15_000 }).toContain('first line');
    expect(await log.textContent()).not.toContain('after the gate');
    expect(await page.locator('tr[data-job]').textContent()).toContain('running');
    await screenshot(page, 'run-live');

    await hold.open();
    await expect.poll(() => log.textContent(), { timeout: 15_000 }).toContain('after the gate');
    await page.getByText('End of the output').waitFor();
    await runPageStatus(page, 'succeeded').waitFor();
    // Still the page loaded at the start: everything came over the event stream.
    expect(await page.evaluate('window.stayed')).toBe(true);
  });

  it('cancels a running job: the run ends cancelled with the reason and its shell is gone', async () => {
    const hold = await gate();
    const { watch } = await appWatch([
      'echo $$ > "$PROJECT_DIR/job.pid"',
      'echo "waiting"',
      `read _ < ${hold.path}`,
    ]);
    const page = await signedIn(watch);
    await page.getByRole('button', { name: 'Trigger app' }).click();
    const runId = await queuedRun(watch, 'api');
    await watch.waitForLog((line) => message(line).split('\n').includes('waiting'), 'the job running');
    const pid = Number((await readFile(path.join(watch.dir, 'job.pid'), 'utf8')).trim());
    expect(isProcessAlive(pid)).toBe(true);

    await runRow(page, runId).getByRole('link', { name: runId }).click();
    await page.getByRole('button', { name: `Cancel run ${runId}` }).click();
    const dialog = page.getByRole('dialog', { name: `Cancel run ${runId}?` });
    await dialog.getByLabel(/Reason/).fill('wrong commit');
    await dialog.getByRole('button', { name: 'Cancel the run' }).click();
    await runPageStatus(page, 'cancelled').waitFor();
    expect(await page.locator('.facts').textContent()).toMatch(/asked by admin.*wrong commit/);
    expect(await page.locator('tr[data-job]').textContent()).toContain('cancelled');
    expect(await finished(watch, runId)).toBe('cancelled');
    expect(isProcessAlive(pid)).toBe(false);
  });

  it('pause keeps a push from deploying until resume, and a re-run deploys the same commit again', async () => {
    const { repo, watch, deploys } = await appWatch();
    const page = await signedIn(watch);
    const appRow = page.getByRole('region', { name: 'Repositories' }).getByRole('row', { name: /^app/ });

    await page.getByRole('button', { name: 'Pause app' }).click();
    const dialog = page.getByRole('dialog', { name: 'Pause app?' });
    await dialog.getByLabel(/Reason/).fill('release freeze');
    await dialog.getByRole('button', { name: 'Pause' }).click();
    await appRow.getByText('paused').waitFor();
    expect(await appRow.textContent()).toMatch(/by admin .*release freeze/);
    await screenshot(page, 'paused');

    const since = watch.logs.length;
    const sha = await repo.commit('main');
    const runId = await queuedRun(watch, 'poll', since);
    await appRow.getByText(sha.slice(0, 7)).waitFor();
    await runStatus(page, runId, 'queued').waitFor();
    // Two more poll cycles: the run still waits, nothing deployed.
    let after = watch.logs.length;
    for (let cycle = 0; cycle < 2; cycle += 1) {
      const polled = await watch.waitForLog(
        (line) => watch.logs.indexOf(line) >= after && message(line).startsWith('poll finished'),
        'a poll cycle',
      );
      after = watch.logs.indexOf(polled) + 1;
    }
    expect(await runRow(page, runId).textContent()).toContain('queued');
    expect(await deployed(deploys)).toEqual([]);

    await page.getByRole('button', { name: 'Resume app' }).click();
    await page.getByRole('status').filter({ hasText: 'Resumed app' }).waitFor();
    expect(await finished(watch, runId)).toBe('succeeded');
    await runStatus(page, runId, 'succeeded').waitFor();
    expect(await appRow.textContent()).toContain('active');
    expect(await deployed(deploys)).toEqual([sha]);

    await runRow(page, runId)
      .getByRole('button', { name: `Re-run run ${runId}` })
      .click();
    await page
      .getByRole('heading', { name: /^Run run_/ })
      .filter({ hasNotText: runId })
      .waitFor();
    await runPageStatus(page, 'succeeded').waitFor();
    expect(await page.locator('.facts').textContent()).toMatch(/rerun by admin/);
    expect(await page.locator('tr[data-job] code').first().getAttribute('title')).toBe(sha);
    expect(await deployed(deploys)).toEqual([sha, sha]);
  });

  it('deploys a chosen commit of a branch (a rollback) from the deploy form', async () => {
    const { repo, watch, deploys } = await appWatch();
    const first = (await repo.heads()).get('main')!;
    const page = await signedIn(watch);
    const since = watch.logs.length;
    const second = await repo.commit('main');
    expect(await finished(watch, await queuedRun(watch, 'poll', since))).toBe('succeeded');

    // By keyboard: Enter opens the form with the focus inside, Escape closes it and the focus goes
    // back to the button.
    const opener = page.getByRole('button', { name: 'Deploy a commit of app' });
    await opener.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Deploy a commit' });
    await dialog.waitFor();
    expect(await page.evaluate('document.activeElement.id')).toBe('deploy-repository');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect
      .poll(() => page.evaluate('document.activeElement.getAttribute("aria-label")'))
      .toBe('Deploy a commit of app');
    await page.keyboard.press('Enter');
    expect(await dialog.getByLabel('Repository').inputValue()).toBe('app');
    expect(await dialog.getByLabel('Branch').inputValue()).toBe('main');
    await dialog.getByLabel('Commit SHA').fill('12345');
    await dialog.getByRole('button', { name: 'Deploy' }).click();
    // The browser's own check: a SHA is 40 hexadecimal digits; the dialog stays open.
    expect(
      await dialog
        .getByLabel('Commit SHA')
        .evaluate((input) => (input as unknown as { validity: { valid: boolean } }).validity.valid),
    ).toBe(false);
    await dialog.getByLabel('Commit SHA').fill(first);
    await screenshot(page, 'deploy');
    await dialog.getByRole('button', { name: 'Deploy' }).click();
    await page.getByRole('heading', { name: /^Run run_/ }).waitFor();
    await runPageStatus(page, 'succeeded').waitFor();
    expect(await page.locator('.facts').textContent()).toMatch(/deploy by admin/);
    expect(await deployed(deploys)).toEqual([second, first]);
  });

  it('stays live across a restart of the server: reconnects, reloads what it missed, keeps the page', async () => {
    const { repo, watch } = await appWatch();
    const page = await signedIn(watch);
    await page.evaluate('window.stayed = true');
    const feed = page.locator('.live');
    await expect.poll(() => feed.getAttribute('data-feed')).toBe('live');

    await stopWatch(watch);
    await page.locator('.live[data-feed="reconnecting"]').waitFor();
    // Pushed while the server is down: the restarted engine deploys it at its first poll, before
    // the console is back, so the console learns of it by reloading (its old event id is from
    // another server life: the stream says `reset`).
    const sha = await repo.commit('main');
    const again = await startAgain(watch);
    const runId = await queuedRun(again, 'poll');
    expect(await finished(again, runId)).toBe('succeeded');
    await runStatus(page, runId, 'succeeded').waitFor({ timeout: 30_000 });
    await page.getByRole('region', { name: 'Repositories' }).getByText(sha.slice(0, 7)).waitFor();
    await page.locator('.live[data-feed="live"]').waitFor();
    expect(await page.evaluate('window.stayed')).toBe(true);
  });

  it('hides the buttons from a read-only token', async () => {
    const repo = await gitdir({ branches: ['main'] });
    const watch = await startWatch({
      repositories: [{ name: 'app', url: repo.url, commands: ['true'] }],
      tokens: 'admin and read',
    });
    const page = await newPage(browser);
    await page.goto(`${watch.url}/#token=${READ_TOKEN}`);
    await page.getByRole('region', { name: 'Repositories' }).getByRole('row', { name: /^app/ }).waitFor();
    expect(await page.locator('.who').textContent()).toBe('read-only');
    await page.getByText('Signed in with a read-only token').waitFor();
    expect(await page.getByRole('button', { name: /Trigger|Deploy|Pause/ }).count()).toBe(0);
  });

  it('reads without a token from a server that has none, and says the buttons need one', async () => {
    const repo = await gitdir({ branches: ['main'] });
    const watch = await startWatch({
      repositories: [{ name: 'app', url: repo.url, commands: ['true'] }],
      tokens: 'none',
    });
    const page = await newPage(browser);
    await page.goto(watch.url);
    await page.getByRole('region', { name: 'Repositories' }).getByRole('row', { name: /^app/ }).waitFor();
    expect(await page.locator('.who').textContent()).toBe('not signed in (read-only)');
    await page.getByText('This server has no API token configured').waitFor();
    expect(await page.getByRole('button', { name: /Trigger|Deploy|Pause/ }).count()).toBe(0);
  });
});
