import { defineBuild } from '../../build/tsup.js';

export default defineBuild(
  { index: 'src/index.ts', testing: 'src/testing/index.ts' },
  { external: ['vitest', 'typescript'] },
);
