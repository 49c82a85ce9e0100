/**
 * deploy/docker and deploy/kubernetes, checked without a cluster or a Docker engine.
 *
 * Kubernetes: the kustomizations are rendered with the real `kubectl kustomize` and the objects
 * are checked for what running sentry-git needs (probes, securityContext, volumes; one replica
 * with the Recreate strategy on SQLite, or several rolling replicas without a volume claim on
 * PostgreSQL), the ConfigMap's sentry.yaml is validated as `sentry-git validate` does, with the
 * environment the pod would have, and the RBAC equals deploy/rbac.
 *
 * Docker: no engine here, so the image is never built. The Dockerfile is parsed and checked
 * (stages, pinned versions, user, entrypoint, no credentials), every RUN script is parsed by
 * bash, the files it copies are in the build context, and its HEALTHCHECK script runs for real
 * against loopback servers.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { loadConfig, type SentryConfig, validateConfig } from '@sentry-git/core';
import { corePlugin, createRegistry } from '@sentry-git/core/internal';
import { tempdir } from '@sentry-git/test-utils';
import { execa } from 'execa';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { builtinPlugins } from '../src/builtins.js';
import { DAEMON_NODE_FLAGS } from '../src/daemon-heap.js';
import {
  assignments,
  type Dockerfile,
  execForm,
  isIgnored,
  parseDockerfile,
  type Stage,
  stageArgs,
} from './dockerfile.js';

const ROOT = path.resolve(__dirname, '../../..');
const KUBE_DIR = path.join(ROOT, 'deploy/kubernetes');
const RBAC_DIR = path.join(ROOT, 'deploy/rbac');
/** deploy/rbac files the base includes as copies (kustomize loads nothing outside its folder). */
const RBAC_COPIES = ['service-account.yaml', 'pipelinerun-mode.yaml'];
const USER_ID = 10001;
const HTTP_PORT = 8080;

const HAS_KUBECTL = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

function read(file: string): string {
  return readFileSync(path.join(ROOT, file), 'utf8');
}

// ---------------------------------------------------------------------------------------------
// Kubernetes objects, as far as these tests read them.

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  data?: Record<string, string>;
  [key: string]: unknown;
}

interface Probe {
  httpGet?: { path: string; port: string | number };
}

interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: Array<{
    name: string;
    value?: string;
    valueFrom?: {
      secretKeyRef?: { name: string; key: string; optional?: boolean };
      fieldRef?: { fieldPath: string };
    };
  }>;
  envFrom?: Array<{ secretRef?: { name: string; optional?: boolean } }>;
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  securityContext?: Record<string, unknown>;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}

interface Volume {
  name: string;
  configMap?: { name: string };
  persistentVolumeClaim?: { claimName: string };
  emptyDir?: Record<string, unknown>;
}

interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: string;
  labelSelector?: { matchLabels?: Record<string, string> };
}

interface Deployment extends KubeObject {
  spec: {
    replicas: number;
    strategy?: {
      type: string;
      rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string };
    };
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec: {
        serviceAccountName?: string;
        terminationGracePeriodSeconds?: number;
        securityContext?: Record<string, unknown>;
        affinity?: { podAntiAffinity?: Record<string, unknown> };
        topologySpreadConstraints?: TopologySpreadConstraint[];
        containers: Container[];
        volumes?: Volume[];
      };
    };
  };
}

interface PodDisruptionBudget extends KubeObject {
  spec: {
    minAvailable?: number | string;
    maxUnavailable?: number | string;
    unhealthyPodEvictionPolicy?: string;
    selector: { matchLabels?: Record<string, string> };
  };
}

interface Service extends KubeObject {
  spec: {
    selector: Record<string, string>;
    ports: Array<{ name?: string; port: number; targetPort?: string | number }>;
  };
}

interface RoleBinding extends KubeObject {
  roleRef: { kind: string; name: string };
  subjects: Array<{ kind: string; name: string; namespace?: string }>;
}

interface Rendered {
  objects: KubeObject[];
  deployment: Deployment;
  container: Container;
  namespace: string;
}

async function render(dir: string): Promise<Rendered> {
  const result = await execa('kubectl', ['kustomize', path.join(KUBE_DIR, dir)], { reject: false });
  expect(result.exitCode, `kubectl kustomize deploy/kubernetes/${dir}:\n${result.stderr}`).toBe(0);
  const objects = parseAllDocuments(result.stdout).map((doc) => doc.toJS() as KubeObject);
  const deployments = objects.filter((o): o is Deployment => o.kind === 'Deployment');
  expect(deployments.map((d) => d.metadata.name)).toEqual(['sentry-git']);
  const deployment = deployments[0]!;
  expect(deployment.spec.template.spec.containers).toHaveLength(1);
  return {
    objects,
    deployment,
    container: deployment.spec.template.spec.containers[0]!,
    namespace: deployment.metadata.namespace ?? '',
  };
}

function find<T extends KubeObject = KubeObject>(objects: KubeObject[], kind: string, name: string): T {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  expect(found, `${kind} ${name} in the rendered objects`).toBeDefined();
  return found as T;
}

/** A container port by number or by name, as probes and Services refer to it. */
function portNumber(container: Container, port: string | number | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

function mountOf(rendered: Rendered, volume: (v: Volume) => boolean): string | undefined {
  const spec = rendered.deployment.spec.template.spec;
  const names = (spec.volumes ?? []).filter(volume).map((v) => v.name);
  return rendered.container.volumeMounts?.find((m) => names.includes(m.name))?.mountPath;
}

function isUnder(file: string, folder: string | undefined): boolean {
  return folder !== undefined && !path.posix.relative(folder, file).startsWith('..');
}

/** A name the pod could have: the Deployment's, a ReplicaSet hash and a random suffix. */
const POD_NAME = 'sentry-git-6d5f8c7b9-x4k2p';

function secretData(rendered: Rendered, name: string): Record<string, string> | undefined {
  const secret = rendered.objects.find((o) => o.kind === 'Secret' && o.metadata.name === name);
  if (!secret) return undefined;
  return Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value, 'base64').toString('utf8'),
    ]),
  );
}

/**
 * The environment the container starts with: the Secrets of `envFrom`, then `env` (literal values,
 * Secret keys, and the pod's name from the downward API as POD_NAME), which wins, as in a pod.
 */
function containerEnv(rendered: Rendered): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of rendered.container.envFrom ?? []) {
    if (!from.secretRef) continue;
    const data = secretData(rendered, from.secretRef.name);
    // An optional Secret that is not part of the render is created separately (or not at all).
    if (!data && from.secretRef.optional) continue;
    expect(data, `Secret ${from.secretRef.name}`).toBeDefined();
    Object.assign(env, data);
  }
  for (const entry of rendered.container.env ?? []) {
    const { secretKeyRef, fieldRef } = entry.valueFrom ?? {};
    if (entry.value !== undefined) env[entry.name] = entry.value;
    else if (fieldRef) {
      expect(fieldRef.fieldPath, `${entry.name}'s fieldRef`).toBe('metadata.name');
      env[entry.name] = POD_NAME;
    } else if (secretKeyRef) {
      const value = secretData(rendered, secretKeyRef.name)?.[secretKeyRef.key];
      if (value === undefined && secretKeyRef.optional) continue;
      expect(value, `${entry.name}: key ${secretKeyRef.key} of Secret ${secretKeyRef.name}`).toBeDefined();
      env[entry.name] = value!;
    }
  }
  return env;
}

/**
 * The mounted sentry.yaml, loaded and validated as `sentry-git validate` does (core's loader,
 * every built-in plugin known), with only the variables the pod would have.
 */
async function mountedConfig(rendered: Rendered): Promise<SentryConfig> {
  const env = containerEnv(rendered);
  const configPath = env.SENTRY_CONFIG_PATH;
  expect(configPath, 'SENTRY_CONFIG_PATH in the container env').toBeDefined();
  const mount = rendered.container.volumeMounts?.find((m) => isUnder(configPath!, m.mountPath));
  expect(mount?.readOnly).toBe(true);
  const volume = rendered.deployment.spec.template.spec.volumes?.find((v) => v.name === mount!.name);
  expect(volume?.configMap).toBeDefined();
  const configMap = find(rendered.objects, 'ConfigMap', volume!.configMap!.name);
  const key = path.posix.relative(mount!.mountPath, configPath!);
  expect(Object.keys(configMap.data ?? {})).toContain(key);

  const file = path.join(await tempdir(), key);
  await writeFile(file, configMap.data![key]!);
  const loaded = await loadConfig({ file, env });
  validateConfig(loaded.config, {
    file,
    known: createRegistry([corePlugin, ...builtinPlugins()]).known(),
  });
  return loaded.config;
}

/** deploy/rbac's objects as they should render: the same, in the Deployment's namespace. */
function rbacObjects(namespace: string): KubeObject[] {
  return RBAC_COPIES.flatMap((file) =>
    parseAllDocuments(readFileSync(path.join(RBAC_DIR, file), 'utf8')).map((doc) => {
      const object = doc.toJS() as KubeObject & { subjects?: RoleBinding['subjects'] };
      return {
        ...object,
        metadata: { ...object.metadata, namespace },
        ...(object.subjects ? { subjects: object.subjects.map((s) => ({ ...s, namespace })) } : {}),
      };
    }),
  );
}

/** What every kustomization gives the pod, whichever state store it uses. */
function expectRunnable(rendered: Rendered, config: SentryConfig): void {
  const { deployment, container, objects, namespace } = rendered;
  const pod = deployment.spec.template;

  expect(pod.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);

  // The server: started by the args, on the port the config, probes, Service and scrape use.
  expect(container.args).toEqual(['watch', '--port', String(HTTP_PORT)]);
  expect(config.server.port).toBe(HTTP_PORT);
  expect(container.ports).toContainEqual(expect.objectContaining({ name: 'http', containerPort: HTTP_PORT }));
  expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
  expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
  for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) {
    if (probe) expect(portNumber(container, probe.httpGet?.port)).toBe(HTTP_PORT);
  }
  expect(pod.metadata.annotations).toMatchObject({
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': String(HTTP_PORT),
    'prometheus.io/path': '/metrics',
  });
  const service = find<Service>(objects, 'Service', 'sentry-git');
  expect(pod.metadata.labels).toMatchObject(service.spec.selector);
  const servicePort = service.spec.ports.find((p) => p.name === 'http');
  expect(servicePort?.port).toBe(HTTP_PORT);
  expect(portNumber(container, servicePort?.targetPort)).toBe(HTTP_PORT);

  // Non-root, read-only root filesystem, no capabilities: the restricted Pod Security Standard.
  expect(pod.spec.securityContext).toMatchObject({
    runAsNonRoot: true,
    runAsUser: USER_ID,
    fsGroup: USER_ID,
    seccompProfile: { type: 'RuntimeDefault' },
  });
  expect(container.securityContext).toMatchObject({
    runAsNonRoot: true,
    runAsUser: USER_ID,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  });

  // Clones on an emptyDir at /tmp.
  const tmpMount = mountOf(rendered, (v) => v.emptyDir !== undefined);
  expect(tmpMount).toBe('/tmp');
  expect(isUnder(config.global.tmp_dir ?? '', tmpMount), `global.tmp_dir ${config.global.tmp_dir}`).toBe(
    true,
  );

  // SIGTERM lets running jobs finish for shutdown_grace seconds before Kubernetes kills the pod.
  expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThan(config.global.shutdown_grace);

  // Tokens come from the Secret, which may be created outside the kustomization.
  expect(container.envFrom).toContainEqual({
    secretRef: { name: expect.stringMatching(/^sentry-git-secrets/), optional: true },
  });

  // Everything in one namespace, and the identity the RBAC binds is the pod's.
  for (const object of objects.filter((o) => o.kind !== 'Namespace'))
    expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).toBe(namespace);
  find(objects, 'ServiceAccount', pod.spec.serviceAccountName ?? 'default');
  for (const expected of rbacObjects(namespace))
    expect(find(objects, expected.kind, expected.metadata.name)).toEqual(expected);

  // A Tekton deploy's PipelineRuns go where the Role lets the pod's service account create them.
  const boundNamespaces = objects
    .filter((o): o is RoleBinding => o.kind === 'RoleBinding')
    .filter((b) =>
      b.subjects.some(
        (s) =>
          s.kind === 'ServiceAccount' && s.name === pod.spec.serviceAccountName && s.namespace === namespace,
      ),
    )
    .map((b) => b.metadata.namespace);
  for (const repo of config.repositories.filter((r) => r.deploy.executor === 'tekton'))
    expect(boundNamespaces, `${repo.name}'s tekton.namespace`).toContain(
      repo.deploy.tekton?.namespace ?? namespace,
    );
}

/** SQLite: one engine per state file, the file on a ReadWriteOnce claim. */
function expectSingleEngine(rendered: Rendered, config: SentryConfig): void {
  const { deployment, objects } = rendered;
  expect(deployment.spec.replicas).toBe(1);
  expect(deployment.spec.strategy?.type).toBe('Recreate');

  // Writable paths are volumes: state on the PVC (clones on the emptyDir, as everywhere).
  const claim = find(objects, 'PersistentVolumeClaim', 'sentry-git-state');
  expect((claim as KubeObject & { spec: { accessModes: string[] } }).spec.accessModes).toEqual([
    'ReadWriteOnce',
  ]);
  const stateMount = mountOf(rendered, (v) => v.persistentVolumeClaim?.claimName === 'sentry-git-state');
  expect(stateMount).toBe('/var/lib/sentry-git');
  expect(config.state.driver).toBe('sqlite');
  expect(isUnder(config.state.path ?? '', stateMount), `state.path ${config.state.path}`).toBe(true);
}

/**
 * PostgreSQL: several replicas on one database, rolled one at a time, kept apart by a
 * PodDisruptionBudget and the scheduler, with no volume claim and nothing writable but /tmp.
 */
function expectReplicated(rendered: Rendered, config: SentryConfig): void {
  const { deployment, container, objects } = rendered;
  const pod = deployment.spec.template;
  const podLabels = pod.metadata.labels ?? {};

  // Three replicas; a new one is ready before an old one stops.
  expect(deployment.spec.replicas).toBe(3);
  expect(deployment.spec.strategy).toEqual({
    type: 'RollingUpdate',
    rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
  });

  // Voluntary evictions take one replica at a time, and never block a drain for good.
  const budgets = objects.filter((o): o is PodDisruptionBudget => o.kind === 'PodDisruptionBudget');
  expect(budgets).toHaveLength(1);
  const budget = budgets[0]!;
  expect(budget.spec.selector.matchLabels).toBeDefined();
  expect(podLabels).toMatchObject(budget.spec.selector.matchLabels!);
  expect(budget.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
  expect(budget.spec.maxUnavailable).toBe(1);
  expect(budget.spec.minAvailable).toBeUndefined();
  expect(budget.spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');

  // Replicas spread over nodes when there are several; one node still schedules them all.
  const byNode = pod.spec.topologySpreadConstraints?.find((c) => c.topologyKey === 'kubernetes.io/hostname');
  expect(byNode, 'a topology spread constraint over kubernetes.io/hostname').toBeDefined();
  expect(byNode!.whenUnsatisfiable).toBe('ScheduleAnyway');
  expect(byNode!.labelSelector?.matchLabels).toEqual(deployment.spec.selector.matchLabels);
  for (const constraint of pod.spec.topologySpreadConstraints ?? [])
    expect(constraint.whenUnsatisfiable, constraint.topologyKey).toBe('ScheduleAnyway');
  expect(pod.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();

  // Health on every replica: startup, liveness and readiness probes.
  expect(container.startupProbe?.httpGet?.path).toBe('/healthz');
  expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
  expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');

  // No claim at all, no volume naming one, and the only writable mount is /tmp (HOME included).
  expect(objects.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => o.metadata.name)).toEqual([]);
  expect((pod.spec.volumes ?? []).filter((v) => v.persistentVolumeClaim)).toEqual([]);
  const mountNames = (container.volumeMounts ?? []).map((m) => m.name);
  expect(mountNames.filter((name) => !pod.spec.volumes?.some((v) => v.name === name))).toEqual([]);
  const writable = (container.volumeMounts ?? []).filter((m) => !m.readOnly);
  expect(writable.map((m) => m.mountPath)).toEqual(['/tmp']);
  const env = containerEnv(rendered);
  expect(isUnder(env.HOME ?? '/var/lib/sentry-git', '/tmp'), `HOME ${env.HOME}`).toBe(true);

  // The database URL from a Secret's key (not the ConfigMap), the replica's name from the pod's.
  const stateUrl = container.env?.find((e) => e.name === 'SENTRY_GIT_STATE_URL');
  expect(stateUrl?.valueFrom?.secretKeyRef).toEqual({
    name: expect.stringMatching(/^sentry-git-postgres/),
    key: 'SENTRY_GIT_STATE_URL',
  });
  expect(container.env?.find((e) => e.name === 'SENTRY_GIT_REPLICA')?.valueFrom).toEqual({
    fieldRef: { fieldPath: 'metadata.name' },
  });
  expect(env.SENTRY_GIT_REPLICA).toBe(POD_NAME);

  // sentry.yaml uses the shared store, at the URL the Secret holds, and keeps no file.
  expect(config.state.driver).toBe('postgres');
  expect(config.state.url).toBe(env.SENTRY_GIT_STATE_URL);
  expect(config.state.url).toMatch(/^postgres(ql)?:\/\//);
  expect(config.state.path).toBeUndefined();
  for (const configMap of objects.filter((o) => o.kind === 'ConfigMap'))
    expect(JSON.stringify(configMap.data), `ConfigMap ${configMap.metadata.name}`).not.toContain(
      config.state.url,
    );
}

describe.skipIf(!HAS_KUBECTL)(
  HAS_KUBECTL
    ? 'deploy/kubernetes'
    : 'deploy/kubernetes (SKIPPED: kubectl is not on PATH; install kubectl to render the kustomizations)',
  () => {
    it('base renders a runnable sentry-git whose mounted sentry.yaml validates once it has a repository', async () => {
      const rendered = await render('base');
      // The base watches nothing, which sentry-git refuses: the pod would exit at start saying so.
      await expect(mountedConfig(rendered)).rejects.toThrow(/repositories: empty: nothing to watch/);
      const configMap = rendered.objects.find((o) => o.kind === 'ConfigMap')!;
      configMap.data!['sentry.yaml'] = configMap.data!['sentry.yaml']!.replace(
        /^repositories: \[\].*$/m,
        'repositories: [{ name: app, monitor: { repo_url: "https://github.com/acme/app", branches: [main] }, deploy: { commands: ["true"] } }]',
      );
      const config = await mountedConfig(rendered);
      expectRunnable(rendered, config);
      expectSingleEngine(rendered, config);
      expect(rendered.namespace).toBe('tekton-pipelines');
    });

    it('overlays/example renders with its namespace, image, config, Secret and patches', async () => {
      const rendered = await render('overlays/example');
      const config = await mountedConfig(rendered);
      expectRunnable(rendered, config);
      expectSingleEngine(rendered, config);

      expect(rendered.namespace).toBe('sentry-git');
      find(rendered.objects, 'Namespace', rendered.namespace);
      expect(rendered.container.image).toBe('registry.example.com/platform/sentry-git:0.1.0');
      // The config the overlay replaced: its repositories and the webhook secret from the Secret.
      expect(config.repositories.map((r) => r.name)).toEqual(['shop-api', 'shop-web']);
      expect(config.server.webhook_secret).toBe('replace-me');
      expect(config.repositories[0]!.monitor.auth?.token).toBe('replace-me');
      // The generated Secret is the one the Deployment reads (kustomize renamed the reference).
      const secretName = rendered.container.envFrom?.[0]?.secretRef?.name ?? '';
      expect(Object.keys(find(rendered.objects, 'Secret', secretName).data ?? {})).toEqual(
        expect.arrayContaining(['GITHUB_TOKEN', 'GITHUB_WEBHOOK_SECRET', 'SENTRY_GIT_API_TOKEN']),
      );
    });

    it('overlays/postgres renders three rolling replicas on PostgreSQL, without a volume claim', async () => {
      const rendered = await render('overlays/postgres');
      const config = await mountedConfig(rendered);
      expectRunnable(rendered, config);
      expectReplicated(rendered, config);

      expect(rendered.namespace).toBe('sentry-git');
      find(rendered.objects, 'Namespace', rendered.namespace);
      expect(rendered.container.image).toBe('registry.example.com/platform/sentry-git:0.1.0');
      expect(config.repositories.map((r) => r.name)).toEqual(['shop-api', 'shop-web']);
      expect(config.repositories[0]!.monitor.auth?.token).toBe('replace-me');
      // Both generated Secrets are the ones the Deployment reads (kustomize renamed the references).
      const tokens = rendered.container.envFrom?.[0]?.secretRef?.name ?? '';
      expect(Object.keys(find(rendered.objects, 'Secret', tokens).data ?? {})).toEqual(
        expect.arrayContaining(['GITHUB_TOKEN', 'GITHUB_WEBHOOK_SECRET', 'SENTRY_GIT_API_TOKEN']),
      );
      const database = rendered.container.env?.find((e) => e.name === 'SENTRY_GIT_STATE_URL');
      expect(
        Object.keys(find(rendered.objects, 'Secret', database!.valueFrom!.secretKeyRef!.name).data ?? {}),
      ).toEqual(['SENTRY_GIT_STATE_URL']);
      expect(config.state.url).toBe(
        'postgres://sentry_git:replace-me@postgres.example.internal:5432/sentry_git',
      );
    });

    it('overlays/postgres: sentry.yaml gets the database URL from the Secret only', async () => {
      const rendered = await render('overlays/postgres');
      rendered.container.env = rendered.container.env?.filter((e) => e.name !== 'SENTRY_GIT_STATE_URL');
      await expect(mountedConfig(rendered)).rejects.toThrow(/SENTRY_GIT_STATE_URL/);
    });

    it('a sentry.yaml referencing a variable the pod does not get fails like `validate`, naming it', async () => {
      const rendered = await render('overlays/example');
      const configMap = rendered.objects.find((o) => o.kind === 'ConfigMap')!;
      configMap.data!['sentry.yaml'] += 'notifications: { urls: [], secret: "${NOT_IN_THE_SECRET}" }\n';
      await expect(mountedConfig(rendered)).rejects.toThrow(/NOT_IN_THE_SECRET/);
    });
  },
);

describe('deploy/kubernetes RBAC', () => {
  it.each(RBAC_COPIES)('base/rbac/%s is a byte-for-byte copy of deploy/rbac', (file) => {
    expect(
      read(`deploy/kubernetes/base/rbac/${file}`),
      `copy it again: cp deploy/rbac/${file} deploy/kubernetes/base/rbac/${file}`,
    ).toBe(read(`deploy/rbac/${file}`));
  });
});

// ---------------------------------------------------------------------------------------------
// Docker

function dockerfile(): Dockerfile {
  return parseDockerfile(read('deploy/docker/Dockerfile'));
}

function instructions(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

function stageNamed(file: Dockerfile, name: string): Stage {
  const stage = file.stages.find((s) => s.name === name);
  expect(stage, `stage ${name}`).toBeDefined();
  return stage!;
}

function runtime(file: Dockerfile): Stage {
  return file.stages.at(-1)!;
}

/** The last value an instruction of the runtime stage sets (USER, WORKDIR...). */
function lastOf(stage: Stage, keyword: string): string | undefined {
  return instructions(stage, keyword).at(-1);
}

function runtimeEnv(stage: Stage): Record<string, string> {
  return Object.assign(
    {},
    ...stage.instructions.filter((i) => i.keyword === 'ENV').map((i) => assignments(i)),
  ) as Record<string, string>;
}

/** Words after `apt-get install` in a stage's RUN scripts. */
function aptPackages(stage: Stage): string[] {
  return instructions(stage, 'RUN').flatMap((script) =>
    [...script.matchAll(/apt-get install ([^&;]*)/g)].flatMap((m) =>
      m[1]!.split(/\s+/).filter((word) => word && !word.startsWith('-')),
    ),
  );
}

/** Context-relative sources of the COPY instructions that copy from the build context. */
function contextSources(file: Dockerfile): Array<{ sources: string[]; destination: string }> {
  return file.stages.flatMap((stage) =>
    instructions(stage, 'COPY')
      .filter((args) => !args.includes('--from='))
      .map((args) => {
        const words = args.split(/\s+/).filter((word) => !word.startsWith('--'));
        return { sources: words.slice(0, -1), destination: words.at(-1)! };
      }),
  );
}

function filesUnder(folder: string): string[] {
  return readdirSync(path.join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .map((entry) => path.posix.join(folder, entry.split(path.sep).join('/')))
    .filter((entry) => statSync(path.join(ROOT, entry)).isFile());
}

describe('deploy/docker/Dockerfile (parsed: there is no Docker engine to build it here)', () => {
  it('builds the workspace with the pinned pnpm and deploys the CLI alone into /app', () => {
    const file = dockerfile();
    expect(file.stages.length).toBeGreaterThanOrEqual(2);
    const engines = JSON.parse(read('package.json')) as { packageManager: string; engines: { node: string } };
    for (const stage of file.stages) {
      expect(stage.from).toMatch(/^node:20-bookworm-slim$/);
      expect(Number(stage.from.match(/^node:(\d+)/)![1])).toBeGreaterThanOrEqual(
        Number(engines.engines.node.match(/(\d+)/)![1]),
      );
    }

    const build = stageNamed(file, 'build');
    expect(`pnpm@${stageArgs(build).PNPM_VERSION}`).toBe(engines.packageManager);
    const scripts = instructions(build, 'RUN').join('\n');
    expect(scripts).toContain('npm install --global "pnpm@${PNPM_VERSION}"');
    expect(scripts).toContain('pnpm install --frozen-lockfile');
    expect(scripts).toContain('pnpm build');
    expect(scripts).toMatch(/pnpm --filter @sentry-git\/cli deploy --prod (--legacy )?\/app/);
    expect(instructions(runtime(file), 'COPY')).toContain('--from=build /app /app');
  });

  it('runs the CLI of this workspace under tini as a numeric non-root user', () => {
    const final = runtime(dockerfile());
    // The flags V8 reads only as it starts are given to node in front of the CLI (daemon-heap.ts).
    expect(execForm(lastOf(final, 'ENTRYPOINT')!)).toEqual([
      'tini',
      '--',
      'node',
      ...DAEMON_NODE_FLAGS,
      '/app/bin/run.js',
    ]);
    expect(execForm(lastOf(final, 'CMD')!)).toEqual(['watch', '--port', String(HTTP_PORT)]);
    expect(aptPackages(final)).toEqual(expect.arrayContaining(['git', 'ca-certificates', 'tini']));

    // /app is `pnpm deploy` of packages/cli: its bin and the files it publishes.
    const cli = JSON.parse(read('packages/cli/package.json')) as {
      bin: Record<string, string>;
      files: string[];
    };
    expect(cli.bin['sentry-git']).toBe('./bin/run.js');
    expect(cli.files).toEqual(expect.arrayContaining(['bin', 'dist']));
    expect(statSync(path.join(ROOT, 'packages/cli/bin/run.js')).isFile()).toBe(true);

    expect(lastOf(final, 'USER')).toBe(`${USER_ID}:${USER_ID}`);
    const env = runtimeEnv(final);
    expect(env.SENTRY_CONFIG_PATH).toBe('/etc/sentry-git/sentry.yaml');
    expect(instructions(final, 'EXPOSE')).toEqual([String(HTTP_PORT)]);
    expect(execForm(lastOf(final, 'VOLUME')!)).toEqual(['/var/lib/sentry-git', '/tmp']);
    // HOME on a volume: git and kubectl get a writable home with a read-only root filesystem.
    expect(env.HOME).toBe('/var/lib/sentry-git');
  });

  it('downloads a pinned kubectl and checks it against pinned SHA-256 digests', () => {
    const file = dockerfile();
    const stage = stageNamed(file, 'kubectl');
    const args = stageArgs(stage);
    expect(args.KUBECTL_VERSION).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(args.KUBECTL_SHA256_AMD64).toMatch(/^[0-9a-f]{64}$/);
    expect(args.KUBECTL_SHA256_ARM64).toMatch(/^[0-9a-f]{64}$/);
    const script = instructions(stage, 'RUN').join('\n');
    expect(script).toContain('https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/${arch}/kubectl');
    expect(script).toContain('sha256sum --check --strict');
    expect(script).not.toMatch(/stable\.txt|latest/);
    expect(instructions(runtime(file), 'COPY')).toContain(
      '--from=kubectl /usr/local/bin/kubectl /usr/local/bin/kubectl',
    );
  });

  it('bakes in no credential', () => {
    const file = dockerfile();
    const names = [
      ...Object.keys(file.globalArgs),
      ...file.stages.flatMap((stage) => [
        ...Object.keys(stageArgs(stage)),
        ...Object.keys(runtimeEnv(stage)),
      ]),
    ];
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => /token|secret|passw|credential|api_?key|auth/i.test(name))).toEqual([]);
    expect(read('deploy/docker/Dockerfile')).not.toMatch(/ghp_|github_pat_|glpat-|--mount=type=secret/);
  });

  it('every RUN script is valid bash', () => {
    for (const stage of dockerfile().stages) {
      expect(instructions(stage, 'SHELL').at(0)).toBe('["/bin/bash", "-o", "pipefail", "-euc"]');
      for (const script of instructions(stage, 'RUN')) {
        const check = spawnSync('bash', ['-n', '-c', script], { encoding: 'utf8' });
        expect(check.status, `${stage.name}: ${script}\n${check.stderr}`).toBe(0);
      }
    }
  });

  it('the build context holds what the build needs and leaves out secrets and host builds', () => {
    const ignore = read('deploy/docker/Dockerfile.dockerignore');
    const copies = contextSources(dockerfile());
    // `COPY . .` in the build stage: every package's manifest, build config and sources.
    const needed = ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', 'tsconfig.base.json'];
    needed.push('tsconfig.build.json', ...filesUnder('build'));
    for (const name of readdirSync(path.join(ROOT, 'packages'))) {
      const folder = `packages/${name}`;
      const manifest = JSON.parse(read(`${folder}/package.json`)) as { scripts?: Record<string, string> };
      needed.push(`${folder}/package.json`);
      if (manifest.scripts?.build)
        needed.push(
          `${folder}/tsup.config.ts`,
          `${folder}/tsconfig.build.json`,
          ...filesUnder(`${folder}/src`),
        );
    }
    needed.push('packages/cli/bin/run.js');
    for (const { sources } of copies) for (const source of sources) if (source !== '.') needed.push(source);
    expect(copies.map((c) => c.sources.join(' '))).toContain('.');
    expect(needed.filter((file) => isIgnored(ignore, file))).toEqual([]);
    for (const file of needed) expect(statSync(path.join(ROOT, file)).isFile(), file).toBe(true);

    const leftOut = [
      '.git/config',
      '.env',
      'examples/quickstart/.env',
      'packages/core/.env.local',
      'deploy/kubernetes/overlays/example/secrets.env',
      'node_modules/vitest/package.json',
      'packages/cli/node_modules/yaml/package.json',
      'packages/core/dist/index.js',
      '.sentry-git/state.db',
    ];
    expect(leftOut.filter((file) => !isIgnored(ignore, file))).toEqual([]);
  });

  it('HEALTHCHECK exits 0 only when /healthz answers 2xx', async () => {
    const final = runtime(dockerfile());
    const healthcheck = lastOf(final, 'HEALTHCHECK')!;
    const command = execForm(healthcheck.slice(healthcheck.indexOf('CMD') + 3).trim())!;
    expect(command[0]).toBe('node');
    // The image path maps back to the repository file the COPY puts there.
    const copy = contextSources(dockerfile()).find((c) => c.destination === command[1]);
    expect(copy, `a COPY to ${command[1]}`).toBeDefined();
    const script = path.join(ROOT, copy!.sources[0]!);
    expect(readFileSync(script, 'utf8')).toContain(`'http://127.0.0.1:${HTTP_PORT}/healthz'`);

    const requests: string[] = [];
    const server = createServer((request, response) => {
      requests.push(request.url ?? '');
      const status = { '/healthz': 200, '/down': 503 }[request.url ?? ''];
      // Anything else is a request the check must not make.
      response.writeHead(status ?? 404, { 'content-type': 'application/json' });
      response.end(JSON.stringify(status === 200 ? { status: 'ok' } : { error: { code: 'X' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    async function check(url: string): Promise<number | undefined> {
      const result = await execa(process.execPath, [script], {
        env: { SENTRY_GIT_HEALTHCHECK_URL: url },
        reject: false,
        timeout: 30_000,
      });
      return result.exitCode;
    }
    expect(await check(`http://127.0.0.1:${port}/healthz`)).toBe(0);
    expect(await check(`http://127.0.0.1:${port}/down`)).toBe(1);
    expect(await check(`http://127.0.0.1:${closedPort}/healthz`)).toBe(1);
    expect(requests).toEqual(['/healthz', '/down']);
  });

  it('matches the Kubernetes Deployment: user, port, arguments, config path and volumes', () => {
    const final = runtime(dockerfile());
    const deployment = parseAllDocuments(
      read('deploy/kubernetes/base/deployment.yaml'),
    )[0]!.toJS() as Deployment;
    const container = deployment.spec.template.spec.containers[0]!;
    expect(lastOf(final, 'USER')).toBe(
      `${container.securityContext?.runAsUser}:${container.securityContext?.runAsGroup}`,
    );
    expect(container.args).toEqual(execForm(lastOf(final, 'CMD')!));
    expect(container.ports?.map((p) => String(p.containerPort))).toEqual(instructions(final, 'EXPOSE'));
    expect(container.env).toContainEqual({
      name: 'SENTRY_CONFIG_PATH',
      value: runtimeEnv(final).SENTRY_CONFIG_PATH,
    });
    const writable = (container.volumeMounts ?? []).filter((m) => !m.readOnly).map((m) => m.mountPath);
    expect(writable.sort()).toEqual(execForm(lastOf(final, 'VOLUME')!)!.sort());
  });
});
