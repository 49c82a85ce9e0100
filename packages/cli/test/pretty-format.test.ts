import { prettyFactory } from 'pino-pretty';
import { describe, expect, it } from 'vitest';
import { jobMessageFormat, jobPrefix } from '../src/pretty-format.js';

/** Renders one log object the way `sentry-git` does on a terminal (time left out). */
function render(log: Record<string, unknown>, colorize = false): string {
  const pretty = prettyFactory({
    colorize,
    ignore: 'pid,hostname,name,time',
    hideObject: true,
    messageFormat: jobMessageFormat,
  });
  return pretty({ level: 30, time: 0, ...log });
}

describe('pretty log lines of a job', () => {
  it('prefix each line of a job output chunk with [repository@branch]', () => {
    const text = render({
      jobId: 'job_1',
      repository: 'app',
      branch: 'main',
      stream: 'stdout',
      msg: '+ echo deploying\ndeploying\r\nstep 2',
    });
    expect(text.trimEnd().split('\n')).toEqual([
      'INFO: [app@main] + echo deploying',
      '[app@main] deploying',
      '[app@main] step 2',
    ]);
  });

  it('prefix the engine and executor lines of a job too, and nothing else', () => {
    expect(
      render({ runId: 'run_1', jobId: 'job_1', repository: 'api', branch: 'release/1.2', msg: 'x' }),
    ).toBe('INFO: [api@release/1.2] x\n');
    expect(render({ jobId: 'job_1', repository: 'api', msg: 'no branch known' })).toBe(
      'INFO: [api] no branch known\n',
    );
    expect(render({ repository: 'api', msg: 'poll of api failed' })).toBe('INFO: poll of api failed\n');
    expect(render({ msg: 'line one\nline two' })).toBe('INFO: line one\nline two\n');
  });

  it('colour the prefix only when colours are on', () => {
    const colored = render({ jobId: 'j', repository: 'app', branch: 'main', msg: 'a\nb' }, true);
    expect(colored).toContain('\u001b[35m[app@main] \u001b[36ma');
    expect(colored).toContain('\n\u001b[35m[app@main] \u001b[36mb');
    expect(render({ jobId: 'j', repository: 'app', branch: 'main', msg: 'a' })).not.toContain('\u001b[');
  });

  it('name the job from the fields a line carries', () => {
    expect(jobPrefix({ jobId: 'j', repository: 'app', branch: 'main' })).toBe('[app@main] ');
    expect(jobPrefix({ repository: 'app', branch: 'main' })).toBe('');
    expect(jobPrefix({ jobId: 'j', branch: 'main' })).toBe('');
  });
});
