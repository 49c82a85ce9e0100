import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  /** The context's name (also `current-context`). @default 'default' */
  context?: string;
  /** The context's default namespace; omitted when not given. */
  namespace?: string;
  /** The bearer token written for the user; pass a wrong one to test a 401. @default the server's token */
  token?: string;
  /** The file name inside `dir`. @default 'kubeconfig' */
  file?: string;
}

/**
 * A kubeconfig for a plain-http API server. @kubernetes/client-node refuses `http://` unless
 * the cluster sets `insecure-skip-tls-verify: true`, so it does.
 */
export function kubeconfigYaml(server: string, token: string, options: KubeconfigOptions = {}): string {
  const context = options.context ?? 'default';
  const contextBody: Record<string, string> = { cluster: 'fake-kube', user: 'fake-kube-user' };
  if (options.namespace) contextBody.namespace = options.namespace;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fake-kube', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'fake-kube-user', user: { token: options.token ?? token } }],
    contexts: [{ name: context, context: contextBody }],
    'current-context': context,
    preferences: {},
  });
}

/** Writes `kubeconfigYaml(...)` into `dir` (mode 0600, like kubectl) and returns the file's path. */
export async function writeKubeconfigFile(
  dir: string,
  server: string,
  token: string,
  options: KubeconfigOptions = {},
): Promise<string> {
  const file = path.join(dir, options.file ?? 'kubeconfig');
  await writeFile(file, kubeconfigYaml(server, token, options), { mode: 0o600 });
  return file;
}
