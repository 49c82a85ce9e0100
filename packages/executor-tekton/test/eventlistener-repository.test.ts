import { describe, expect, it } from 'vitest';
import { describeRepository } from '../src/eventlistener/index.js';

describe('describeRepository', () => {
  it.each([
    {
      url: 'https://github.com/company/rag',
      facts: {
        provider: 'github',
        host: 'github.com',
        organization: 'company',
        name: 'rag',
        fullName: 'company/rag',
        webUrl: 'https://github.com/company/rag',
        cloneUrl: 'https://github.com/company/rag.git',
        sshUrl: 'git@github.com:company/rag.git',
      },
    },
    {
      url: 'git@gitlab.com:group/sub/app.git',
      facts: {
        provider: 'gitlab',
        organization: 'group/sub',
        fullName: 'group/sub/app',
        webUrl: 'https://gitlab.com/group/sub/app',
        cloneUrl: 'https://gitlab.com/group/sub/app.git',
        sshUrl: 'git@gitlab.com:group/sub/app.git',
      },
    },
    {
      url: 'ssh://git@gitea.example.com:2222/team/svc.git',
      facts: {
        provider: 'gitea',
        host: 'gitea.example.com',
        webUrl: 'https://gitea.example.com/team/svc',
        sshUrl: 'ssh://git@gitea.example.com:2222/team/svc.git',
      },
    },
    {
      // A plain git server keeps its URL as configured: it may not answer on `<path>.git`.
      url: 'http://127.0.0.1:8080/demo',
      facts: {
        provider: 'git',
        organization: '',
        name: 'demo',
        fullName: 'demo',
        webUrl: 'http://127.0.0.1:8080/demo',
        cloneUrl: 'http://127.0.0.1:8080/demo',
      },
    },
    {
      url: '/srv/git/demo.git',
      facts: { provider: 'git', host: '', name: 'demo', fullName: 'demo', cloneUrl: '/srv/git/demo.git' },
    },
    {
      url: 'https://codeberg.org/forgejo/forgejo',
      facts: { provider: 'gitea', fullName: 'forgejo/forgejo' },
    },
  ])('$url', ({ url, facts }) => {
    expect(describeRepository(url)).toMatchObject(facts);
  });

  it("trusts the repository's repo_type over the host name (GitHub Enterprise on any host)", () => {
    expect(describeRepository('https://code.corp.example/team/app', 'github')).toMatchObject({
      provider: 'github',
      fullName: 'team/app',
    });
    expect(describeRepository('https://git.corp.example/team/app', 'forgejo').provider).toBe('gitea');
    expect(describeRepository('https://gitlab.example.com/team/app', 'git').provider).toBe('gitlab');
  });

  it('drops credentials written into the URL', () => {
    const facts = describeRepository('https://user:tok3n-secret@github.com/o/r.git');
    expect(JSON.stringify(facts)).not.toContain('tok3n-secret');
    expect(facts.cloneUrl).toBe('https://github.com/o/r.git');
  });
});
