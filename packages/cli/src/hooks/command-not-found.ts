import { type Hook, toConfiguredId } from '@oclif/core';
import { didYouMean } from '@sentry-git/core/internal';

/**
 * An unknown command is named with the closest real one, on a terminal or not (a typo in a
 * script or a CI job needs the hint most), and nothing runs: guessing a command for a tool that
 * deploys is not a risk worth a saved keystroke. Exit 127, as a shell answers an unknown command.
 */
const commandNotFound: Hook.CommandNotFound = async function (options) {
  const { config } = options;
  const visible = config.commands.filter((command) => !command.hidden);
  const ids = [...visible.map((command) => command.id), ...visible.flatMap((command) => command.aliases)];
  // With a space as topic separator, `trigr app` arrives as the id `trigr:app`: the first word is
  // the command that was meant, unless it names a topic (`state exprt`), whose commands are then
  // the candidates for the second word.
  const [first = options.id, second] = options.id.split(':');
  const inTopic = second === undefined ? [] : ids.filter((id) => id.startsWith(`${first}:`));
  const typed = inTopic.length > 0 ? `${first} ${second}` : first;
  const guess =
    inTopic.length > 0
      ? didYouMean(`${first}:${second}`, inTopic)
      : didYouMean(first, [
          ...ids.filter((id) => !id.includes(':')),
          ...config.topics.map((topic) => topic.name),
        ]);
  const lines = [
    `"${typed}" is not a ${config.bin} command.`,
    ...(guess ? [`Did you mean \`${config.bin} ${toConfiguredId(guess, config)}\`?`] : []),
    `\`${config.bin} help\` lists the commands.`,
  ];
  // Written as is: oclif's error() would wrap the lines at 80 columns, mid-command.
  process.stderr.write(`${lines.join('\n')}\n`);
  this.exit(127);
};

export default commandNotFound;
