import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { createKubeClientCache } from '../src/kube/client.js';
import { loadKubeConfig } from '../src/kube/config.js';

function kubeconfigYaml(options: {
  server: string;
  contexts: Array<{ name: string; namespace?: string }>;
  current: string;
}) {
  const contexts = options.contexts
    .map(
      (context) =>
        `- name: ${context.name}\n  context:\n    cluster: c-${context.name}\n    user: u\n${context.namespace ? `    namespace: ${context.namespace}\n` : ''}`,
    )
    .join('');
  const clusters = options.contexts
    .map(
      (context) =>
        `- name: c-${context.name}\n  cluster:\n    server: ${options.server}/${context.name}\n    insecure-skip-tls-verify: true\n`,
    )
    .join('');
  return `apiVersion: v1\nkind: Config\ncurrent-context: ${options.current}\nclusters:\n${clusters}contexts:\n${contexts}users:\n- name: u\n  user:\n    token: t\n`;
}

async function writeKubeconfig(dir: string, name: string, yaml: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, yaml);
  return file;
}

describe('loading the kubeconfig', () => {
  it("reads the block's file, its current context and that context's namespace", async () => {
    const dir = await tempdir();
    const file = await writeKubeconfig(
      dir,
      'config',
      kubeconfigYaml({
        server: 'http://127.0.0.1:1',
        contexts: [{ name: 'dev', namespace: 'ci' }, { name: 'prod' }],
        current: 'dev',
      }),
    );
    const loaded = loadKubeConfig({ kubeconfig: file }, { env: {} });
    expect(loaded).toMatchObject({
      namespace: 'ci',
      server: 'http://127.0.0.1:1/dev',
      source: `context dev of ${file}`,
    });
    const prod = loadKubeConfig({ kubeconfig: file, context: 'prod' }, { env: {} });
    expect(prod).toMatchObject({ namespace: 'default', server: 'http://127.0.0.1:1/prod' });
  });

  it('merges the files of KUBECONFIG like kubectl: the first to name an entry wins', async () => {
    const dir = await tempdir();
    const first = await writeKubeconfig(
      dir,
      'a',
      kubeconfigYaml({ server: 'http://a', contexts: [{ name: 'a' }], current: 'a' }),
    );
    const second = await writeKubeconfig(
      dir,
      'b',
      kubeconfigYaml({ server: 'http://b', contexts: [{ name: 'b' }], current: 'b' }),
    );
    const env = { KUBECONFIG: `${first}${path.delimiter}${second}` };
    expect(loadKubeConfig({}, { env }).server).toBe('http://a/a');
    expect(loadKubeConfig({ context: 'b' }, { env }).server).toBe('http://b/b');
  });

  it('falls back to ~/.kube/config', async () => {
    const home = await tempdir();
    await import('node:fs/promises').then((fs) => fs.mkdir(path.join(home, '.kube')));
    await writeKubeconfig(
      home,
      '.kube/config',
      kubeconfigYaml({ server: 'http://home', contexts: [{ name: 'h' }], current: 'h' }),
    );
    expect(loadKubeConfig({}, { env: { HOME: home } }).server).toBe('http://home/h');
  });

  it('uses a KubeConfig given as an option without changing it', () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(
      kubeconfigYaml({
        server: 'http://opt',
        contexts: [{ name: 'x' }, { name: 'y', namespace: 'n' }],
        current: 'x',
      }),
    );
    const loaded = loadKubeConfig({ context: 'y' }, { kubeConfig, env: {} });
    expect(loaded).toMatchObject({ server: 'http://opt/y', namespace: 'n' });
    expect(kubeConfig.getCurrentContext()).toBe('x');
  });

  it("in a pod, uses the service account: API server from the environment, token file, the pod's namespace", async () => {
    const root = await tempdir();
    const dir = path.join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'token'), 'sa-token-1');
    await writeFile(path.join(dir, 'namespace'), 'ci');
    await writeFile(path.join(dir, 'ca.crt'), '');
    const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', HOME: root };
    const headersOf = async (kubeConfig: KubeConfig) => {
      const request = { headers: {} as Record<string, string> };
      await kubeConfig.applyToHTTPSOptions(request);
      return request.headers.Authorization ?? request.headers.authorization;
    };
    for (const target of [{ inCluster: true }, {}]) {
      const loaded = loadKubeConfig(target, { env, serviceAccountRoot: root });
      expect(loaded).toMatchObject({
        server: 'https://10.96.0.1:443',
        namespace: 'ci',
        source: 'context inClusterContext of the in-cluster service account',
      });
      expect(await headersOf(loaded.kubeConfig)).toBe('Bearer sa-token-1');
    }
    // A projected token rotates: the same loaded config picks up the new file.
    const loaded = loadKubeConfig({ inCluster: true }, { env, serviceAccountRoot: root });
    await writeFile(path.join(dir, 'token'), 'sa-token-2');
    expect(await headersOf(loaded.kubeConfig)).toBe('Bearer sa-token-2');
  });

  it('explains what is missing', async () => {
    const home = await tempdir();
    expect(() => loadKubeConfig({}, { env: { HOME: home } })).toThrow(
      /No Kubernetes configuration found.*Fix: Set deploy\.tekton\.kubeconfig/,
    );
    expect(() => loadKubeConfig({ kubeconfig: path.join(home, 'nope') }, { env: {} })).toThrow(
      /kubeconfig file .*nope does not exist/,
    );
    expect(() => loadKubeConfig({ inCluster: true }, { env: {} })).toThrow(
      /in_cluster is set but this process does not run in a Kubernetes pod/,
    );
    const file = await writeKubeconfig(
      home,
      'c',
      kubeconfigYaml({ server: 'http://x', contexts: [{ name: 'dev' }], current: 'dev' }),
    );
    expect(() => loadKubeConfig({ kubeconfig: file, context: 'staging' }, { env: {} })).toThrow(
      /has no context "staging" \(it has: dev\)/,
    );
  });

  it('caches clients per (file, context)', async () => {
    const dir = await tempdir();
    const file = await writeKubeconfig(
      dir,
      'config',
      kubeconfigYaml({ server: 'http://c', contexts: [{ name: 'a' }, { name: 'b' }], current: 'a' }),
    );
    const cache = createKubeClientCache({ env: {} });
    const a = cache.get({ kubeconfig: file });
    expect(cache.get({ kubeconfig: file })).toBe(a);
    expect(cache.get({ kubeconfig: file, context: 'b' })).not.toBe(a);
  });
});
