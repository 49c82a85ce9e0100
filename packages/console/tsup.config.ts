import { defineBuild } from '../../build/tsup.js';

// The Node entry only (where the assets are); Vite builds the browser app into dist/app after it,
// so tsup's clean of dist/ runs first.
export default defineBuild({ index: 'src/index.ts' });
