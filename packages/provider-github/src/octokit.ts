import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck/light.js';

/** plugin-throttling's limiter class, to give each client a limit of requests in flight of its own. */
export { Bottleneck };

/**
 * Octokit with @octokit/plugin-throttling and @octokit/plugin-retry. Only client.ts imports this
 * module, and only dynamically: the SDK loads when a GitHub repository is first polled, not when
 * the plugin registers (see docs/plugins.md, "Load your SDK lazily"). Typed as plain Octokit: the
 * plugins' option types (`throttle`, `retry`) merge into Octokit's own, and their added methods go
 * unused.
 */
export const GitHubOctokit: typeof Octokit = Octokit.plugin(throttling, retry);
