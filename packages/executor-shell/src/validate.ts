import type { DeployConfig } from '@sentry-git/core';

/** Config-time checks of a deploy block the shell executor runs. */
export function validateDeploy(deploy: DeployConfig): Array<{ key: string; message: string }> {
  const problems: Array<{ key: string; message: string }> = [];
  const commands = deploy.commands;
  if (!commands || commands.length === 0) {
    problems.push({
      key: 'commands',
      message:
        'the shell executor needs at least one command; add e.g. commands: ["./deploy.sh"] to the deploy block',
    });
  } else {
    commands.forEach((command, index) => {
      if (command.trim() === '') problems.push({ key: `commands[${index}]`, message: 'must not be blank' });
    });
  }
  if (deploy.qa_repo_branch && !deploy.qa_repo_url) {
    problems.push({
      key: 'qa_repo_branch',
      message: 'is set but qa_repo_url is not; set qa_repo_url or remove qa_repo_branch',
    });
  }
  return problems;
}
