/**
 * The section of docs/configuration.md that documents a key path, for hints: the deepest heading
 * of its "Reference" whose path is a prefix of the key's (`repositories[2].monitor.auth` → "auth").
 */
const SECTIONS: ReadonlyArray<[prefix: string, heading: string]> = [
  ['repositories[].deploy.tekton', 'repositories[].deploy.tekton'],
  ['repositories[].monitor.auth', 'auth'],
  ['repositories[].deploy.auth', 'auth'],
  ['repositories[].monitor', 'repositories[].monitor'],
  ['repositories[].deploy', 'repositories[].deploy'],
  ['repositories', 'repositories'],
  ['groups', 'groups'],
  ['global', 'global'],
  ['state', 'state'],
  ['server', 'server'],
  ['notifications', 'notifications'],
  ['plugins', 'plugins'],
];

export function configSection(segments: ReadonlyArray<string | number>): string {
  const path = segments
    .map((segment, index) =>
      typeof segment === 'number' ? '[]' : segments[index - 1] === 'groups' ? '' : `.${segment}`,
    )
    .join('')
    .replace(/^\./, '');
  const found = SECTIONS.find(
    ([prefix]) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`),
  );
  return found ? found[1] : 'Top level';
}
