import { definePlugin } from '@sentry-git/core';
import { createTektonExecutor } from './executor.js';

export {
  buildEventRequest,
  type DeliverEventOptions,
  type DeliveryResult,
  deliverEvent,
} from './eventlistener/index.js';
export { createTektonExecutor } from './executor.js';
export { LABELS, TRIGGERS_EVENT_ID_LABEL } from './labels.js';
export type { TektonExecutorOptions } from './options.js';
export { validateDeploy } from './validate.js';

/** The Tekton executor with default options (kubeconfig from the block, KUBECONFIG, ~/.kube/config or in-cluster). */
export const tektonExecutor = createTektonExecutor();

export default definePlugin({ name: '@sentry-git/executor-tekton', executors: [tektonExecutor] });
