import { defineBuild } from '../../build/tsup.js';

// boot: what bin/run.js runs first (signal hold, then oclif); index: the commands and the library.
export default defineBuild({ index: 'src/index.ts', boot: 'src/boot.ts' });
