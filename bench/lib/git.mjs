import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** git with no user or system config, so the bench behaves the same on every machine. */
export const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'sentry-git bench',
  GIT_AUTHOR_EMAIL: 'bench@sentry-git.invalid',
  GIT_COMMITTER_NAME: 'sentry-git bench',
  GIT_COMMITTER_EMAIL: 'bench@sentry-git.invalid',
  GIT_TERMINAL_PROMPT: '0',
};

export async function git(gitDir, ...args) {
  const { stdout } = await run('git', ['--git-dir', gitDir, ...args], {
    env: GIT_ENV,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout.trim();
}

export async function gitVersion() {
  const { stdout } = await run('git', ['--version'], { env: GIT_ENV });
  return stdout.trim();
}

/** Feeds a fast-import stream to `git fast-import` in a bare repository. */
export async function fastImport(gitDir, stream) {
  const child = spawn('git', ['--git-dir', gitDir, 'fast-import', '--quiet'], {
    env: GIT_ENV,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdin.end(stream);
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`git fast-import failed (${code}): ${stderr.trim()}`);
}

/** Builds fast-import commands without counting bytes by hand. */
export function fastImportWriter() {
  const parts = [];
  const data = (text) => {
    const bytes = Buffer.from(text, 'utf8');
    parts.push(`data ${bytes.length}\n`, bytes, '\n');
  };
  let time = 1_700_000_000;
  return {
    commit({ ref, mark, from, message, files }) {
      time += 60;
      parts.push(`commit ${ref}\nmark :${mark}\n`);
      parts.push(`author sentry-git bench <bench@sentry-git.invalid> ${time} +0000\n`);
      parts.push(`committer sentry-git bench <bench@sentry-git.invalid> ${time} +0000\n`);
      data(message);
      if (from) parts.push(`from :${from}\n`);
      for (const [name, content] of Object.entries(files)) {
        parts.push(`M 100644 inline ${name}\n`);
        data(content);
      }
      parts.push('\n');
    },
    toBuffer: () => Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part))),
  };
}
