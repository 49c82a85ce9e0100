#!/usr/bin/env node
// Writes docs/reference/configuration.md from the configuration schema (run after `pnpm build`,
// or `pnpm schema`, which builds core and writes both generated files). A test renders the page
// from the sources and fails when the committed copy is out of date.
//
// The page walks configJsonSchema() (the file as written, which is what a user types) and reads
// defaults and numeric ranges from the same zod schema's output-side JSON Schema: on the input
// side a number also accepts its string spelling, which hides its range and default.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REFERENCE_PATH = 'docs/reference/configuration.md';
export const REGENERATE_COMMAND = 'pnpm schema';

const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

/**
 * Renders the reference page.
 * @param {{ configJsonSchema: () => Record<string, unknown>, configSchema: { toJSONSchema: (options: object) => Record<string, unknown> } }} core
 *   `@sentry-git/core` (sources or dist)
 * @returns {string}
 */
export function renderConfigReference(core) {
  // The file's schema accepts two formats (`anyOf`); this page documents the sentry-git format.
  const file = core.configJsonSchema();
  const input = Array.isArray(file.anyOf)
    ? file.anyOf.find((format) => format.properties?.repositories !== undefined)
    : file;
  const output = core.configSchema.toJSONSchema({
    io: 'output',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  });
  /** @type {{ path: string, rows: string[][], description: string | undefined }[]} */
  const sections = [];
  collectSection('', input, output, undefined, sections);
  return renderPage(sections);
}

/** One table per object: its direct keys as rows; nested objects get their own section. */
function collectSection(sectionPath, inputNode, outputNode, description, sections) {
  const section = { path: sectionPath, rows: [], description };
  sections.push(section);
  const required = new Set(Array.isArray(inputNode.required) ? inputNode.required : []);
  for (const [key, child] of Object.entries(inputNode.properties ?? {})) {
    const outChild = outputNode?.properties?.[key] ?? {};
    const keyPath = sectionPath === '' ? key : `${sectionPath}.${key}`;
    section.rows.push(renderRow(keyPath, child, outChild, required.has(key)));
    collectNested(keyPath, child, outChild, sections);
  }
}

/** Objects, lists of objects and maps of objects below a key get sections of their own. */
function collectNested(keyPath, node, outNode, sections) {
  if (isObjectWithProperties(node)) {
    collectSection(keyPath, node, outNode, node.description, sections);
  } else if (node.type === 'array' && isObjectWithProperties(node.items)) {
    collectSection(`${keyPath}[]`, node.items, outNode?.items, node.items.description, sections);
  } else if (node.type === 'object' && isObjectWithProperties(node.additionalProperties)) {
    collectSection(
      `${keyPath}.<name>`,
      node.additionalProperties,
      outNode?.additionalProperties,
      node.additionalProperties.description,
      sections,
    );
  }
}

function isObjectWithProperties(node) {
  return typeof node === 'object' && node !== null && node.type === 'object' && node.properties !== undefined;
}

function renderRow(keyPath, node, outNode, required) {
  return [
    code(keyPath),
    typeOf(node, outNode),
    defaultOf(node, outNode, required),
    allowedOf(node, outNode),
    escapeCell(node.description ?? ''),
  ];
}

function typeOf(node, outNode) {
  const numeric = numericType(outNode);
  if (numeric) return numeric;
  if (isBooleanLike(node)) return 'boolean';
  if (Array.isArray(node.anyOf)) {
    return node.anyOf.map((member) => typeOf(member, undefined)).join(' or ');
  }
  if (node.const !== undefined) return code(JSON.stringify(node.const));
  if (node.type === 'string') return node.format === 'uri' ? 'URL' : 'string';
  if (node.type === 'array') {
    if (Array.isArray(node.prefixItems)) {
      return `[${node.prefixItems.map((member) => typeOf(member, undefined)).join(', ')}]`;
    }
    return `list of ${plural(typeOf(node.items ?? {}, outNode?.items))}`;
  }
  if (node.type === 'object') {
    if (node.properties !== undefined) return 'object';
    const values = node.additionalProperties;
    if (isObjectWithProperties(values)) return 'map of name → object';
    if (values === undefined || values === true || Object.keys(values).length === 0) return 'map';
    return `map of name → ${typeOf(values, undefined)}`;
  }
  if (typeof node.type === 'string') return node.type;
  return 'any';
}

/** `integer` or `number` when the validated value is a number (the written one may be a string). */
function numericType(outNode) {
  if (outNode?.type === 'integer' || outNode?.type === 'number') return outNode.type;
  return undefined;
}

/** Booleans are written as `true`/`false` or their string spelling (`${VAR}` yields strings). */
function isBooleanLike(node) {
  return (
    Array.isArray(node.anyOf) &&
    node.anyOf.some((member) => member.type === 'boolean') &&
    node.anyOf.every((member) => member.type === 'boolean' || member.enum !== undefined)
  );
}

function plural(type) {
  if (type === 'string') return 'strings';
  if (type === 'URL') return 'URLs';
  if (type === 'object') return 'objects';
  if (type.startsWith('[')) return type;
  return type;
}

function defaultOf(node, outNode, required) {
  const value = outNode?.default ?? node.default;
  if (value === undefined) return required ? '**required**' : '—';
  if (isPlainObject(value) && Object.keys(value).length > 0) return 'each key’s default';
  return code(JSON.stringify(value));
}

function allowedOf(node, outNode) {
  const parts = [];
  const numeric = outNode?.type === 'integer' || outNode?.type === 'number' ? outNode : undefined;
  if (numeric) {
    const range = rangeOf(numeric);
    if (range) parts.push(range);
  }
  const values = enumOf(node);
  if (values) parts.push(values.map((value) => code(value)).join(', '));
  if (node.type === 'string') {
    // `\S`: at least one character that is not a space (a name, a URL).
    if (node.pattern === '\\S') parts.push('not blank');
    else if (node.pattern !== undefined) parts.push(`matches ${code(node.pattern)}`);
    if (node.maxLength !== undefined) parts.push(`at most ${node.maxLength} characters`);
    if (node.minLength !== undefined && node.pattern === undefined) parts.push('not empty');
  }
  if (node.type === 'array' && node.prefixItems === undefined) {
    if (node.minItems !== undefined) parts.push(`at least ${node.minItems}`);
    if (node.items?.minLength !== undefined) parts.push('entries not empty');
  }
  return parts.join('; ') || '—';
}

/** `0–65535`, `≥ 1`, `> 0`: the bounds of a validated number (MAX_SAFE_INTEGER is no bound). */
function rangeOf(numeric) {
  const max = numeric.maximum !== MAX_SAFE_INTEGER ? numeric.maximum : undefined;
  if (numeric.minimum !== undefined && max !== undefined) return `${numeric.minimum}–${max}`;
  const bounds = [];
  if (numeric.exclusiveMinimum !== undefined) bounds.push(`> ${numeric.exclusiveMinimum}`);
  else if (numeric.minimum !== undefined) bounds.push(`≥ ${numeric.minimum}`);
  if (max !== undefined) bounds.push(`≤ ${max}`);
  return bounds.join(', ');
}

/** Allowed values of a string enum, not counting the string spellings of booleans. */
function enumOf(node) {
  if (node.type === 'string' && Array.isArray(node.enum)) return node.enum;
  return undefined;
}

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function code(text) {
  const value = String(text).replaceAll('|', '\\|');
  return value.includes('`') ? `\`\` ${value} \`\`` : `\`${value}\``;
}

/**
 * Prose in a table cell: a `|` ends the cell, a newline the row, `<word>` would be read as an
 * HTML tag and a lone `*` as emphasis. Code spans (backticks) are left as written.
 */
function escapeCell(text) {
  return text
    .split(/(`[^`]*`)/)
    .map((part, index) =>
      index % 2 === 1
        ? part.replaceAll('|', '\\|')
        : part.replaceAll('|', '\\|').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('*', '\\*'),
    )
    .join('')
    .replaceAll('\n', ' ');
}

function anchorOf(sectionPath) {
  return (sectionPath === '' ? 'top-level' : sectionPath)
    .toLowerCase()
    .replace(/[^a-z0-9_\- ]/g, '')
    .replaceAll(' ', '-');
}

function renderPage(sections) {
  const lines = [
    '# Configuration reference',
    '',
    `<!-- Generated by scripts/write-config-reference.mjs from the configuration schema. Do not edit: run \`${REGENERATE_COMMAND}\`. -->`,
    '',
    'Every key of the configuration file, generated from the zod schema that validates it',
    '(`packages/core/src/config/schema.ts` and `tekton-schema.ts`). The hand-written guide, with what',
    'each key does beyond its one-line description, is [configuration.md](../configuration.md); the',
    'JSON Schema for editors is [schema/config.schema.json](../schema/config.schema.json); it also accepts',
    "the simplified Sentry's format ([configuration.md](../configuration.md#the-simplified-sentrys-format)),",
    'which this page does not list.',
    '',
    'How to read the tables:',
    '',
    '- **type** is the type after validation. A `number`, `integer` or `boolean` may also be written',
    '  as a string (`"60"`, `"true"`), which is what `${VAR}` expansion produces.',
    '- **default** is applied when the key is left out; `—` means none (the description says what',
    '  happens then); **required** keys have no default.',
    '- **allowed** is the range or the set of values the schema accepts. Rules across keys (unique',
    '  names, known groups, installed plugin ids, compiling regular expressions) are checked after',
    '  the shape: see [validation](../configuration.md#validation).',
    '- Durations are in seconds. `<name>` stands for a name you choose, `[]` for each list entry.',
    '',
  ];
  lines.push('Sections:', '');
  for (const section of sections) {
    const title = section.path === '' ? 'Top level' : code(section.path);
    lines.push(`- [${title}](#${anchorOf(section.path)})`);
  }
  lines.push('');
  for (const section of sections) {
    lines.push(section.path === '' ? '## Top level' : `## ${code(section.path)}`, '');
    if (section.description) lines.push(escapeCell(section.description), '');
    lines.push('| key | type | default | allowed | description |', '| --- | --- | --- | --- | --- |');
    for (const row of section.rows) lines.push(`| ${row.join(' | ')} |`);
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

async function main() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const core = await import(pathToFileURL(path.join(root, 'packages/core/dist/index.js')).href);
  const out = path.join(root, REFERENCE_PATH);
  writeFileSync(out, renderConfigReference(core));
  console.log(`wrote ${out}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
