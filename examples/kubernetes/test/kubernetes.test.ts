import { spawnSync } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
// The examples are not workspace packages: the loopback servers come from test-utils' sources by
// path (vitest compiles them), the CLI from its build (`pnpm build`).
import {
  gitdir,
  progressions,
  startFakeKube,
  startGitHubServer,
  tempdir,
} from '../../../packages/test-utils/src/index.js';

const here = path.resolve(__dirname, '..');
const bin = path.resolve(here, '../../packages/cli/bin/run.js');
// yaml through test-utils, which depends on it: the examples have no dependencies of their own.
const yaml = createRequire(path.resolve(here, '../../packages/test-utils/package.json'))(
  'yaml',
) as typeof import('yaml');
const HAS_KUBECTL = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
const NAMESPACE = 'deploys';
const PORT = 8080;

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  spec?: Record<string, unknown>;
  subjects?: Array<{ kind: string; name: string; namespace?: string }>;
}

interface Container {
  image: string;
  args: string[];
  ports: Array<{ name: string; containerPort: number }>;
  env: Array<{ name: string; value: string }>;
  envFrom: Array<{ secretRef: { name: string; optional?: boolean } }>;
  startupProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}

interface PodTemplate {
  metadata: { annotations: Record<string, string> };
  spec: {
    serviceAccountName: string;
    containers: Container[];
    volumes: Array<{ name: string; configMap?: { name: string } }>;
  };
}

interface Rendered {
  objects: KubeObject[];
  container: Container;
  pod: PodTemplate;
  /** The pod's environment: the generated Secret's keys and the container's literal env. */
  env: Record<string, string>;
  /** The sentry.yaml the container reads, from the mounted ConfigMap. */
  configText: string;
}

function find(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  expect(found, `${kind} ${name} in the rendered objects`).toBeDefined();
  return found!;
}

/** `kubectl kustomize examples/kubernetes`, and what the container gets from it. */
async function render(): Promise<Rendered> {
  const result = await execa('kubectl', ['kustomize', here], { reject: false });
  expect(result.exitCode, result.stderr).toBe(0);
  const objects = yaml.parseAllDocuments(result.stdout).map((doc) => doc.toJS() as KubeObject);
  const deployment = find(objects, 'Deployment', 'sentry-git');
  const pod = deployment.spec?.template as PodTemplate;
  const [container, ...others] = pod.spec.containers;
  expect(others).toEqual([]);

  const env: Record<string, string> = {};
  for (const { secretRef } of container!.envFrom) {
    const secret = find(objects, 'Secret', secretRef.name);
    for (const [key, value] of Object.entries(secret.data ?? {}))
      env[key] = Buffer.from(value, 'base64').toString('utf8');
  }
  for (const entry of container!.env) env[entry.name] = entry.value;

  const configPath = env.SENTRY_CONFIG_PATH ?? '';
  const mount = container!.volumeMounts.find((m) => configPath.startsWith(`${m.mountPath}/`));
  expect(mount, `a volume mounted above SENTRY_CONFIG_PATH (${configPath})`).toBeDefined();
  expect(mount?.readOnly).toBe(true);
  const volume = pod.spec.volumes.find((v) => v.name === mount!.name);
  const configMap = find(objects, 'ConfigMap', volume?.configMap?.name ?? '(no configMap volume)');
  const key = path.posix.relative(mount!.mountPath, configPath);
  const configText = configMap.data?.[key];
  expect(configText, `key ${key} of ConfigMap ${configMap.metadata.name}`).toBeDefined();
  return { objects, container: container!, pod, env, configText: configText! };
}

/** Runs the built CLI with exactly `env` (and PATH/HOME for git). */
function sentryGit(args: string[], env: Record<string, string>) {
  return execa('node', [bin, ...args], {
    reject: false,
    timeout: 60_000,
    extendEnv: false,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...env },
  });
}

describe.skipIf(!HAS_KUBECTL)(
  HAS_KUBECTL
    ? 'examples/kubernetes'
    : 'examples/kubernetes (SKIPPED: kubectl is not on PATH; install kubectl to render the kustomization)',
  () => {
    let rendered: Rendered;
    beforeAll(async () => {
      rendered = await render();
    });

    it('renders what the README says: namespace, image, server, probes, config mount, secrets, RBAC, Pipeline', () => {
      const { objects, container, pod, env } = rendered;
      // Everything in the namespace the kustomization creates.
      find(objects, 'Namespace', NAMESPACE);
      for (const object of objects.filter((o) => o.kind !== 'Namespace'))
        expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).toBe(NAMESPACE);

      expect(container.image).toBe('sentry-git:dev');
      // The server: `watch --port 8080`, the probes on /healthz and /readyz, /metrics scraped.
      expect(container.args).toEqual(['watch', '--port', String(PORT)]);
      expect(container.ports).toContainEqual(expect.objectContaining({ name: 'http', containerPort: PORT }));
      expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(pod.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(PORT),
        'prometheus.io/path': '/metrics',
      });
      const service = find(objects, 'Service', 'sentry-git').spec as {
        ports: Array<{ name: string; port: number; targetPort: string }>;
      };
      expect(service.ports).toContainEqual(
        expect.objectContaining({ name: 'http', port: PORT, targetPort: 'http' }),
      );

      // The configuration: this folder's sentry.yaml, where SENTRY_CONFIG_PATH points.
      expect(env.SENTRY_CONFIG_PATH).toBe('/etc/sentry-git/sentry.yaml');
      const config = yaml.parse(rendered.configText);
      expect(config).toMatchObject({
        server: { port: PORT, webhook_secret: '${GITHUB_WEBHOOK_SECRET}' },
        state: { path: '/var/lib/sentry-git/state.db' },
        global: { tmp_dir: '/tmp/sentry-git' },
      });
      expect(config.repositories[0].deploy.tekton).toMatchObject({
        namespace: NAMESPACE,
        pipeline_ref: 'sentry-deploy',
      });

      // The generated Secret (its hashed name is the one envFrom reads) holds every variable.
      expect(container.envFrom).toEqual([
        { secretRef: { name: expect.stringMatching(/^sentry-git-secrets-/), optional: true } },
      ]);
      expect(Object.keys(env)).toEqual(
        expect.arrayContaining([
          'GITHUB_TOKEN',
          'GITHUB_WEBHOOK_SECRET',
          'SENTRY_GIT_API_TOKEN',
          'SENTRY_GIT_READ_TOKEN',
        ]),
      );

      // The pod's service account may create PipelineRuns here, and the Pipeline is installed.
      expect(pod.spec.serviceAccountName).toBe('sentry-git');
      const binding = find(objects, 'RoleBinding', 'sentry-git-pipelinerun');
      expect(binding.subjects).toEqual([
        { kind: 'ServiceAccount', name: 'sentry-git', namespace: NAMESPACE },
      ]);
      find(objects, 'Pipeline', 'sentry-deploy');
      find(objects, 'Task', 'sentry-checkout-run');
    });

    it('the mounted sentry.yaml passes `sentry-git validate` with the Secret’s variables, and not without them', async () => {
      const file = path.join(await tempdir(), 'sentry.yaml');
      await writeFile(file, rendered.configText);
      const valid = await sentryGit(['validate', '-c', file], rendered.env);
      expect(valid.exitCode, valid.stderr).toBe(0);
      expect(valid.stdout).toContain('valid (1 repository');

      const withoutSecret = await sentryGit(['validate', '-c', file], {});
      expect(withoutSecret.exitCode).toBe(1);
      expect(withoutSecret.stderr).toMatch(
        /server\.webhook_secret: environment variable GITHUB_WEBHOOK_SECRET/,
      );
      expect(withoutSecret.stderr).toMatch(/monitor\.auth\.token: environment variable GITHUB_TOKEN/);
    });

    it('the container’s command line runs locally: probes, a signed push webhook creates a PipelineRun, /metrics counts it', async () => {
      // The only changes to the mounted config: the paths of the pod's volumes become a temporary
      // folder, GitHub's API and the cluster are loopback servers (the same repository URL, the
      // same namespace), the port is any free one, and debug logs show when a poll finished.
      const dir = await tempdir();
      const web = await gitdir({ branches: ['main'] });
      const github = await startGitHubServer({
        repos: { 'example-org/web': web.bare },
        token: rendered.env.GITHUB_TOKEN!,
      });
      onTestFinished(() => github.close());
      const kube = await startFakeKube({ namespaces: ['default', NAMESPACE] });
      onTestFinished(() => kube.close());
      kube.onPipelineRun(() => progressions.succeeds({ tasks: ['test', 'deploy'] }));

      const config = yaml.parse(rendered.configText);
      config.state.path = path.join(dir, 'state.db');
      config.global.tmp_dir = path.join(dir, 'jobs');
      config.repositories[0].monitor.api_base_url = github.url;
      config.repositories[0].deploy.tekton.kubeconfig = await kube.writeKubeconfig(dir);
      const configPath = path.join(dir, 'sentry.yaml');
      await writeFile(configPath, yaml.stringify(config));

      const args = rendered.container.args.map((arg) => (arg === String(PORT) ? '0' : arg));
      const child = execa('node', [bin, ...args, '--host', '127.0.0.1', '--log-level', 'debug'], {
        reject: false,
        extendEnv: false,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          ...rendered.env,
          SENTRY_CONFIG_PATH: configPath,
          SENTRY_GIT_LOG_FORMAT: 'json',
        },
      });
      onTestFinished(() => {
        child.kill('SIGKILL');
      });
      const waitForLog = logWatcher(child.stderr!, child);

      // watch's start line names the server's address.
      const listening = await waitForLog((line) => typeof line.url === 'string');
      const url = String(listening.url);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      await waitForLog((line) => String(line.msg).startsWith('poll finished'));
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status, await ready.clone().text()).toBe(200);

      // A push, delivered the way GitHub delivers it to the webhook the README sets up.
      const before = (await web.heads()).get('main')!;
      const sha = await web.commit('main');
      const body = JSON.stringify({
        ref: 'refs/heads/main',
        before,
        after: sha,
        repository: {
          full_name: 'example-org/web',
          html_url: 'https://github.com/example-org/web',
          clone_url: 'https://github.com/example-org/web.git',
        },
      });
      const signature = `sha256=${createHmac('sha256', rendered.env.GITHUB_WEBHOOK_SECRET!).update(body).digest('hex')}`;
      const delivery = await fetch(`${url}/webhooks/github`, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'push',
          'x-github-delivery': randomUUID(),
          'x-hub-signature-256': signature,
        },
      });
      expect(delivery.status, await delivery.clone().text()).toBeLessThan(300);
      const finished = await waitForLog((line) =>
        /^run \S+ (succeeded|failed|cancelled|timed_out)$/.test(String(line.msg)),
      );
      expect(finished.msg).toMatch(/succeeded$/);

      const [run, ...others] = kube.list('PipelineRun', NAMESPACE);
      expect(others).toEqual([]);
      expect(run?.metadata.labels).toMatchObject({
        'sentry-git.dev/repository': 'web',
        'sentry-git.dev/commit': sha,
      });
      expect(run?.spec).toMatchObject({
        pipelineRef: { name: 'sentry-deploy' },
        params: expect.arrayContaining([
          { name: 'git-url', value: 'https://github.com/example-org/web' },
          { name: 'revision', value: sha },
        ]),
      });
      // With API tokens in the Secret, /metrics takes the read token (what Prometheus is given).
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      const metrics = await (
        await fetch(`${url}/metrics`, {
          headers: { authorization: `Bearer ${rendered.env.SENTRY_GIT_READ_TOKEN}` },
        })
      ).text();
      expect(metrics).toMatch(/sentry_git_runs_total\{[^}]*status="succeeded"[^}]*\} 1/);

      child.kill('SIGTERM');
      expect((await child).exitCode).toBe(0);
      expect(kube.unexpected()).toEqual([]);
      expect(github.unexpected()).toEqual([]);
    }, 120_000);
  },
);

/**
 * Follows a process's JSON log lines; the returned function resolves with the first match (seen
 * or coming), and rejects when the process exits without one.
 */
function logWatcher(
  stream: NodeJS.ReadableStream,
  exited: PromiseLike<{ stderr?: unknown; exitCode?: number }>,
) {
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<{
    match: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
  }> = [];
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const text of parts) {
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.match(line))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const exit = Promise.resolve(exited).then((result) => {
    throw new Error(
      `sentry-git exited (${result.exitCode}) before the expected log line:\n${String(result.stderr)}`,
    );
  });
  exit.catch(() => {}); // only awaited by the waits that lose the race
  return (match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> => {
    const seen = lines.find(match);
    if (seen) return Promise.resolve(seen);
    return Promise.race([
      new Promise<Record<string, unknown>>((resolve) => waiters.push({ match, resolve })),
      exit,
    ]);
  };
}
