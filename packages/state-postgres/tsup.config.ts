import { defineBuild } from '../../build/tsup.js';

export default defineBuild({ index: 'src/index.ts' });
