// The loopback server of bench/floor: fixed answers shaped like the fake forges' (headers and
// bodies of a GitLab filtered branch list of 2 branches and of a Gitea single branch), after a
// latency, so a client's CPU per request can be measured without a forge's variance.
import http from 'node:http';

const [kind, latencyArg] = process.argv.slice(2);
const latency = Number(latencyArg ?? 20);
const sha = 'a'.repeat(40);
const web = 'http://127.0.0.1:1/bench/repo-00001';

function gitlabCommit(title) {
  return {
    id: sha,
    short_id: sha.slice(0, 8),
    created_at: '2026-12-01T10:00:00.000Z',
    parent_ids: ['b'.repeat(40)],
    title,
    message: `${title}\n`,
    author_name: 'Bench',
    author_email: 'bench@example.com',
    authored_date: '2026-12-01T10:00:00.000Z',
    committer_name: 'Bench',
    committer_email: 'bench@example.com',
    committed_date: '2026-12-01T10:00:00.000Z',
    trailers: {},
    extended_trailers: {},
    web_url: `${web}/-/commit/${sha}`,
  };
}

const gitlabBody = JSON.stringify(
  ['develop', 'main'].map((name) => ({
    name,
    commit: gitlabCommit(name),
    merged: false,
    protected: name === 'main',
    developers_can_push: false,
    developers_can_merge: false,
    can_push: true,
    default: name === 'main',
    web_url: `${web}/-/tree/${name}`,
  })),
);
const person = { name: 'Bench', email: 'bench@example.com', username: '' };
const giteaBody = JSON.stringify({
  name: 'main',
  commit: {
    id: sha,
    message: 'main\n',
    url: `${web}/commit/${sha}`,
    author: person,
    committer: person,
    verification: {
      verified: false,
      reason: 'gpg.error.not_signed_commit',
      signature: '',
      signer: null,
      payload: '',
    },
    timestamp: '2026-12-01T10:00:00Z',
    added: null,
    removed: null,
    modified: null,
  },
  protected: false,
  required_approvals: 0,
  enable_status_check: false,
  status_check_contexts: [],
  user_can_push: true,
  user_can_merge: true,
  effective_branch_protection_name: '',
});
const link = `<${web}/api/v4/projects/bench%2Frepo-00001/repository/branches?page=1&per_page=100>`;

function gitlabHeaders() {
  const reset = Math.ceil(Date.now() / 1000) + 60;
  return {
    'content-type': 'application/json',
    'RateLimit-Limit': '2000',
    'RateLimit-Observed': '5',
    'RateLimit-Remaining': '1995',
    'RateLimit-Reset': String(reset),
    'RateLimit-ResetTime': new Date(reset * 1000).toUTCString(),
    Link: `${link}; rel="first", ${link}; rel="last"`,
    'X-Page': '1',
    'X-Per-Page': '100',
    'X-Next-Page': '',
    'X-Prev-Page': '',
    'X-Total': '2',
    'X-Total-Pages': '1',
  };
}

const server = http.createServer((request, response) => {
  request.resume();
  setTimeout(() => {
    if (kind === 'gitlab') {
      response.writeHead(200, gitlabHeaders());
      response.end(gitlabBody);
    } else {
      response.writeHead(200, { 'content-type': 'application/json;charset=utf-8' });
      response.end(giteaBody);
    }
  }, latency);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
