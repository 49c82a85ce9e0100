/**
 * Just enough of Dockerfile and .dockerignore syntax to check deploy/docker without a Docker
 * engine: logical lines (continuations, comments), stages, exec-form arguments, ARG/ENV values,
 * and Docker's ignore-pattern matching (`**`, `*`, `?`, `!`, last match wins).
 */

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, ... */
  keyword: string;
  /** Everything after the keyword, continuations joined. */
  args: string;
  /** 1-based line the instruction starts on. */
  line: number;
}

export interface Stage {
  /** The base image, global ARG defaults substituted. */
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

function logicalLines(text: string): Instruction[] {
  const result: Instruction[] = [];
  let current: { text: string; line: number } | null = null;
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    // Docker drops comment lines and blank lines, also inside a continued instruction.
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const continues = /\\\s*$/.test(raw);
    const body = continues ? raw.replace(/\\\s*$/, '') : raw;
    if (current) current.text += body;
    else current = { text: body, line: index + 1 };
    if (continues) return;
    const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(current.text);
    if (match) result.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.trim(), line: current.line });
    current = null;
  });
  return result;
}

function substitute(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => vars[name] ?? whole);
}

/** `NAME=value` pairs of an ARG or ENV instruction (the legacy `ENV NAME value` form too). */
export function assignments(instruction: Instruction): Record<string, string> {
  if (instruction.keyword === 'ENV' && !/^\w+=/.test(instruction.args)) {
    const [name, ...rest] = instruction.args.split(/\s+/);
    return { [name!]: rest.join(' ') };
  }
  const pairs: Record<string, string> = {};
  for (const token of instruction.args.split(/\s+/).filter(Boolean)) {
    const [name, ...value] = token.split('=');
    pairs[name!] = value.join('=').replace(/^"(.*)"$/, '$1');
  }
  return pairs;
}

export function parseDockerfile(text: string): Dockerfile {
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const instruction of logicalLines(text)) {
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.split(/\s+/);
      stages.push({
        from: substitute(image, globalArgs),
        name: as?.toUpperCase() === 'AS' ? name : undefined,
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (instruction.keyword === 'ARG') Object.assign(globalArgs, assignments(instruction));
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

/** The JSON array of an exec-form instruction (ENTRYPOINT ["a", "b"]), or null for the shell form. */
export function execForm(args: string): string[] | null {
  if (!args.startsWith('[')) return null;
  return JSON.parse(args) as string[];
}

/** The ARG defaults of a stage (an ARG without a default maps to ''). */
export function stageArgs(stage: Stage): Record<string, string> {
  return Object.assign(
    {},
    ...stage.instructions.filter((i) => i.keyword === 'ARG').map((i) => assignments(i)),
  ) as Record<string, string>;
}

function patternRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i]!;
    if (char === '*' && pattern[i + 1] === '*') {
      // `**/` is any number of folders, none included; a trailing `**` is anything.
      if (pattern[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * Whether Docker leaves `file` (a path relative to the context root) out of the build context:
 * the last pattern that matches the file or one of its parent folders decides.
 */
export function isIgnored(dockerignore: string, file: string): boolean {
  const rules = dockerignore
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = (negated ? line.slice(1) : line).trim().replace(/^\/+/, '').replace(/\/+$/, '');
      return { negated, regexp: patternRegExp(pattern) };
    });
  const parts = file.split('/');
  const candidates = parts.map((_, index) => parts.slice(0, index + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (candidates.some((candidate) => rule.regexp.test(candidate))) ignored = !rule.negated;
  }
  return ignored;
}
