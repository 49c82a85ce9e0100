import { defineBuild } from '../../build/tsup.js';

export default defineBuild(
  { index: 'src/index.ts', internal: 'src/internal.ts', testing: 'src/testing/index.ts' },
  { external: ['vitest', 'typescript'] },
);
