/**
 * Environment that keeps git from ever waiting for a person: no terminal prompt, no askpass
 * program (an empty `GIT_ASKPASS` makes git skip `core.askPass` and `SSH_ASKPASS` too), SSH in
 * batch mode. Messages in the C locale so failures can be classified.
 */
export function nonInteractiveEnv(inherited: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    SSH_ASKPASS_REQUIRE: 'never',
    GCM_INTERACTIVE: 'never',
    LC_ALL: 'C',
    LANGUAGE: '',
  };
  // GIT_SSH_COMMAND outranks GIT_SSH, so setting ours would silently discard the user's choice.
  if (!inherited.GIT_SSH_COMMAND && !inherited.GIT_SSH) env.GIT_SSH_COMMAND = 'ssh -o BatchMode=yes';
  return env;
}
