import type { SentryConfigInput } from '../config/schema.js';
import { FORGE_PROVIDER, SCRIPTED_EXECUTOR } from './scripted-forge.js';

/** One entry of `repositories` in a configuration as written. */
export type RepositoryInput = SentryConfigInput['repositories'][number];

/** What {@link forgeRepository} changes in its entry: any field; `monitor` is merged. */
export type ForgeRepositoryExtra = Partial<Omit<RepositoryInput, 'name' | 'monitor'>> & {
  monitor?: Partial<RepositoryInput['monitor']>;
};

/**
 * The configuration entry of repository `name` on a {@link scriptedForge}: polled from the
 * forge's `memory-forge` provider (`https://forge.invalid/<name>.git`, branch `main`) and deployed
 * by its `scripted` executor. `extra` adds fields (`group`, …) or replaces them (`deploy`, for
 * another executor); its `monitor` fields are merged into the forge's (`branches`, `paths`, …).
 */
export function forgeRepository(name: string, extra: ForgeRepositoryExtra = {}): RepositoryInput {
  const { monitor, ...rest } = extra;
  return {
    name,
    deploy: { executor: SCRIPTED_EXECUTOR },
    ...rest,
    monitor: {
      repo_url: `https://forge.invalid/${name}.git`,
      repo_type: FORGE_PROVIDER,
      branches: ['main'],
      ...monitor,
    },
  };
}
