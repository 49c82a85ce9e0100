#!/usr/bin/env node
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliRunner, demoGit, requireBuiltCli, say } from '../demo-kit.mjs';
import { loadLoopbackCluster, yaml } from './loopback-cluster.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const config = path.join(here, 'sentry.yaml');
const demo = path.join(here, '.demo');
const NAMESPACE = 'tekton-pipelines';
requireBuiltCli();
const { git, repository, push } = demoGit(demo, 'Tekton Demo');

rmSync(demo, { recursive: true, force: true });
mkdirSync(demo, { recursive: true });

say('Starting a loopback Kubernetes API with Tekton (packages/test-utils/src/kube)');
const cluster = await loadLoopbackCluster();
const kube = await cluster.startFakeKube({ namespaces: ['default', NAMESPACE] });
const kubeconfig = await kube.writeKubeconfig(demo);
console.log(`API server ${kube.url}, kubeconfig ${path.relative(process.cwd(), kubeconfig)}`);

// `kubectl apply -k tekton -n tekton-pipelines` on a real cluster.
say('Installing the Pipeline and Task of tekton/ (kubectl apply -k tekton -n tekton-pipelines)');
for (const file of ['task.yaml', 'pipeline.yaml']) {
  for (const document of yaml.parseAllDocuments(readFileSync(path.join(here, 'tekton', file), 'utf8'))) {
    const object = document.toJS();
    kube.create({ ...object, metadata: { ...object.metadata, namespace: NAMESPACE } });
    console.log(`${object.kind.toLowerCase()}.tekton.dev/${object.metadata.name} created`);
  }
}

// The stand-in for the Tekton controller: each PipelineRun gets one TaskRun per task of its
// Pipeline and succeeds, unless the demo asked for a failure (then its first task fails).
let failNext = false;
kube.onPipelineRun((pipelineRun) => {
  const pipeline = kube.get('Pipeline', NAMESPACE, pipelineRun.spec?.pipelineRef?.name ?? '');
  const tasks = pipeline?.spec?.tasks?.map((task) => task.name) ?? ['build'];
  if (!failNext) return cluster.progressions.succeeds({ tasks });
  failNext = false;
  return cluster.progressions.fails('Failed', undefined, { tasks });
});

say('Creating the watched repositories web and api, and the QA repository deploy-config (qa/)');
const script = (what) => `#!/bin/sh\necho "${what} $REVISION of branch $BRANCH"\n`;
const ci = { 'ci/test.sh': script('testing'), 'ci/deploy.sh': script('deploying') };
const web = repository('web', ci);
const api = repository('api', ci);
const qa = repository('deploy-config', {});
cpSync(path.join(here, 'qa'), qa, { recursive: true });
git(qa, 'add', '--all');
git(qa, 'commit', '--quiet', '-m', 'the .tekton folder of qa/');
git(qa, 'push', '--quiet', 'origin', 'HEAD:main');

// Every variable sentry.yaml reads, so values exported for a real cluster (README) stay out of it.
const env = {
  ...process.env,
  KUBECONFIG: kubeconfig,
  WEB_REPO: path.join(demo, 'web.git'),
  API_REPO: path.join(demo, 'api.git'),
  QA_REPO: path.join(demo, 'deploy-config.git'),
  TEKTON_NAMESPACE: NAMESPACE,
  STATE_PATH: path.join(demo, 'state.db'),
  SENTRY_GIT_LOG_FORMAT: process.env.SENTRY_GIT_LOG_FORMAT ?? 'pretty',
};

/** The CLI, run without blocking this process, which serves the Kubernetes API meanwhile. */
const cli = cliRunner(config, env);

/** What `kubectl get pipelinerun <name> -o yaml` would show that matters here. */
function describe(pipelineRun) {
  const labels = Object.entries(pipelineRun.metadata.labels ?? {})
    .filter(([key]) => key.startsWith('sentry-git.dev/'))
    .map(([key, value]) => `    ${key}: ${value}`);
  const params = (pipelineRun.spec.params ?? []).map((param) => `    ${param.name}: ${param.value}`);
  const succeeded = pipelineRun.status?.conditions?.find((condition) => condition.type === 'Succeeded');
  return [
    `PipelineRun ${pipelineRun.metadata.name} (pipeline ${pipelineRun.spec.pipelineRef?.name})`,
    '  labels:',
    ...labels,
    '  params:',
    ...params,
    `  Succeeded: ${succeeded?.status} ${succeeded?.reason}: ${succeeded?.message}`,
  ].join('\n');
}

const pipelineRuns = () => kube.list('PipelineRun', NAMESPACE);
/** The PipelineRun of a commit, reported as the test and you would check it. */
function report(repository, sha, expected) {
  const found = pipelineRuns().filter((run) => run.metadata.labels?.['sentry-git.dev/commit'] === sha);
  for (const run of found) console.log(describe(run));
  const reason = found[0]?.status?.conditions?.find((c) => c.type === 'Succeeded')?.reason;
  const ok = found.length === 1 && found[0].metadata.labels?.['sentry-git.dev/repository'] === repository;
  say(
    `${repository}: ${found.length} PipelineRun for ${sha.slice(0, 10)}, ${reason ?? 'no outcome'} ${ok && reason === expected ? '(as expected)' : '(unexpected!)'}`,
  );
  return ok && reason === expected;
}

let failed = false;
try {
  say('sentry-git validate');
  failed ||= (await cli('validate')) !== 0;

  say('sentry-git watch --once (the first poll records a baseline and deploys nothing)');
  failed ||= (await cli('watch', '--once')) !== 0;
  failed ||= pipelineRuns().length !== 0;

  say('Pushing a commit to web and to api…');
  const webSha = push(web, 'web v2');
  const apiSha = push(api, 'api v2');

  say('sentry-git watch --once (deploys both: creates the PipelineRuns and follows them)');
  failed ||= (await cli('watch', '--once')) !== 0;
  failed ||= !report('web', webSha, 'Succeeded');
  failed ||= !report('api', apiSha, 'Succeeded');
  failed ||= kube.get('Pipeline', NAMESPACE, 'api-release') === undefined; // applied from .tekton/

  say('Pushing to web again, and this time the PipelineRun fails…');
  failNext = true;
  const failingSha = push(web, 'web v3');
  say('sentry-git watch --once (exits 1: a run it started failed)');
  const code = await cli('watch', '--once');
  say(`sentry-git watch --once exited with ${code} ${code === 1 ? '(as expected)' : '(unexpected!)'}`);
  failed ||= code !== 1;
  failed ||= !report('web', failingSha, 'Failed');

  say('sentry-git runs');
  failed ||= (await cli('runs')) !== 0;
  failed ||= kube.unexpected().length !== 0;
} finally {
  await kube.close();
}
say(failed ? 'Something went wrong: see above.' : 'Done.');
process.exit(failed ? 1 : 0);
