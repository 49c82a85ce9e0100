import {
  CustomObjectsApi,
  createConfiguration,
  type KubeConfig,
  KubernetesObjectApi,
  ServerConfiguration,
  Watch,
} from '@kubernetes/client-node';
import { signalMiddleware } from './call.js';
import { type KubeTarget, type LoadedKubeConfig, type LoadOptions, loadKubeConfig } from './config.js';
import { kubeFailure } from './errors.js';

/** A kind as the API server's discovery describes it. */
export interface KindInfo {
  /** The resource (plural) name, e.g. "configmaps". */
  name: string;
  namespaced: boolean;
}

/** KubernetesObjectApi with its discovery (resource name, namespaced or not) made public. */
export class DiscoveringObjectApi extends KubernetesObjectApi {
  /** What the cluster serves for the kind; undefined when it does not serve it. */
  async describeKind(apiVersion: string, kind: string): Promise<KindInfo | undefined> {
    try {
      const resource = await this.resource(apiVersion, kind);
      return resource ? { name: resource.name, namespaced: resource.namespaced } : undefined;
    } catch (error) {
      // The whole group/version is unknown (its CRD is not installed): the kind is not served.
      if (kubeFailure(error)?.status === 404) return undefined;
      throw error;
    }
  }
}

/** The clients of one (kubeconfig, context): created once, reused by every job. */
export interface KubeClient extends LoadedKubeConfig {
  customObjects: CustomObjectsApi;
  watch: Watch;
  /**
   * A KubernetesObjectApi whose every request is bound to `signal` (its methods take no
   * per-call middleware, so it is made per job). Its discovery cache lives as long as it does.
   */
  objects(signal: AbortSignal): DiscoveringObjectApi;
}

function createKubeClient(loaded: LoadedKubeConfig): KubeClient {
  const kubeConfig: KubeConfig = loaded.kubeConfig;
  return {
    ...loaded,
    customObjects: kubeConfig.makeApiClient(CustomObjectsApi),
    watch: new Watch(kubeConfig),
    objects(signal) {
      return new DiscoveringObjectApi(
        createConfiguration({
          baseServer: new ServerConfiguration(loaded.server, {}),
          authMethods: { default: kubeConfig },
          middleware: [signalMiddleware(signal)],
        }),
      );
    },
  };
}

/** Clients cached per (kubeconfig file, context, in-cluster), for the life of one executor. */
export interface KubeClientCache {
  get(target: KubeTarget): KubeClient;
}

export function createKubeClientCache(options: LoadOptions): KubeClientCache {
  const clients = new Map<string, KubeClient>();
  return {
    get(target) {
      const key = JSON.stringify([
        target.kubeconfig ?? null,
        target.context ?? null,
        target.inCluster ?? false,
      ]);
      let client = clients.get(key);
      if (!client) {
        client = createKubeClient(loadKubeConfig(target, options));
        clients.set(key, client);
      }
      return client;
    },
  };
}
