import { defineBuild } from '../../build/tsup.js';

// boot: what bin/run.js runs first (signal hold, then oclif); index: the commands and the library;
// the hook: what oclif runs for an unknown command.
export default defineBuild({
  index: 'src/index.ts',
  boot: 'src/boot.ts',
  'hooks/command-not-found': 'src/hooks/command-not-found.ts',
});
