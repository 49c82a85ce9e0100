import Cancel from './commands/cancel.js';
import Deploy from './commands/deploy.js';
import Logs from './commands/logs.js';
import Migrate from './commands/migrate.js';
import Pause from './commands/pause.js';
import Plan from './commands/plan.js';
import Rerun from './commands/rerun.js';
import Resume from './commands/resume.js';
import Runs from './commands/runs.js';
import Schema from './commands/schema.js';
import StateExport from './commands/state/export.js';
import StateImport from './commands/state/import.js';
import Status from './commands/status.js';
import Trigger from './commands/trigger.js';
import Validate from './commands/validate.js';
import Watch from './commands/watch.js';

/** oclif's explicit command table (package.json oclif.commands). */
export const commands = {
  watch: Watch,
  trigger: Trigger,
  validate: Validate,
  status: Status,
  runs: Runs,
  logs: Logs,
  plan: Plan,
  cancel: Cancel,
  rerun: Rerun,
  deploy: Deploy,
  pause: Pause,
  resume: Resume,
  migrate: Migrate,
  schema: Schema,
  'state:export': StateExport,
  'state:import': StateImport,
};
export { assemble, loadFullConfig } from './assemble.js';
export { builtinPlugins } from './builtins.js';
