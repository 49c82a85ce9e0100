// The loopback server of bench/floor: fixed answers rendered by the fake forges' own functions
// (packages/test-utils/src/forge: a GitLab filtered branch list of 2 branches, a Gitea single
// branch, with their headers), sent after a latency, so a client's CPU per request can be
// measured without a forge's variance. argv: kind, latency ms, the test-utils bundle (run.mjs
// builds it with bench/lib/bundle.mjs).
import http from 'node:http';
import { pathToFileURL } from 'node:url';

const [kind, latencyArg, bundle] = process.argv.slice(2);
const { branchEntity, branchJson, paginationHeaders, rateLimitHeaders } = await import(
  pathToFileURL(bundle).href
);
const latency = Number(latencyArg ?? 20);
const sha = 'a'.repeat(40);
const base = 'http://127.0.0.1:1';
const project = 'bench/repo-00001';
const commit = (name) => ({
  sha,
  message: name,
  authorName: 'Bench',
  authorEmail: 'bench@example.com',
  authoredAt: '2026-12-01T10:00:00.000Z',
  committerName: 'Bench',
  committerEmail: 'bench@example.com',
  committedAt: '2026-12-01T10:00:00.000Z',
  parents: ['b'.repeat(40)],
  tree: 'c'.repeat(40),
});

const gitlabBody = JSON.stringify(
  ['develop', 'main'].map((name) => branchEntity(name, commit(name), `${base}/${project}`)),
);
const gitlabLink = (page) =>
  `${base}/api/v4/projects/${encodeURIComponent(project)}/repository/branches?page=${page}&per_page=100`;
const giteaBody = JSON.stringify(
  branchJson(
    { ...commit('main'), name: 'main', message: 'main\n', committedUnix: 1_796_119_200 },
    { html: `${base}/${project}`, api: `${base}/api/v1/repos/${project}` },
  ),
);

function gitlabHeaders() {
  return {
    'content-type': 'application/json',
    ...rateLimitHeaders(2000, 1995, new Date(Date.now() + 60_000)),
    ...paginationHeaders(1, 100, 1, 2, gitlabLink),
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
