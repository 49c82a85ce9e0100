/**
 * Where error hints send people. The documentation is not published on a site of its own and the
 * packages do not ship it, so a hint names the page and where it lives, the same way everywhere:
 * when the docs get a public address, this is the one place to change.
 */
export const DOCS_LOCATION = 'the docs folder of the sentry-git repository';

const PAGES = {
  configuration: { file: 'configuration.md', title: 'the configuration reference' },
  plugins: { file: 'plugins.md', title: 'the plugin guide' },
  operations: { file: 'operations.md', title: 'the operations guide' },
} as const satisfies Record<string, { file: string; title: string }>;

export type DocsPage = keyof typeof PAGES;

/**
 * `see the configuration reference, section "global": configuration.md in the docs folder of the
 * sentry-git repository`: a pointer a reader can follow from anywhere.
 */
export function docsHint(page: DocsPage, section?: string): string {
  const { file, title } = PAGES[page];
  const where = section ? `${title}, section "${section}"` : title;
  return `see ${where}: ${file} in ${DOCS_LOCATION}`;
}
