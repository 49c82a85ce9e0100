/** What a failed git command against a remote means, as far as git's stderr tells. */
export type GitRemoteProblem = 'auth' | 'branch-not-found' | 'not-found' | 'unreachable';

// Checked in this order: a 401 is an authentication problem even when a host also says "not found".
const PATTERNS: ReadonlyArray<readonly [GitRemoteProblem, readonly RegExp[]]> = [
  [
    'auth',
    [
      /authentication failed/i,
      /could not read (username|password)/i,
      /terminal prompts disabled/i,
      /returned error: 40[13]\b/i,
      /\bHTTP (code )?40[13]\b/i,
      /permission denied \((publickey|password|keyboard-interactive)/i,
      /invalid username or password/i,
      /\bunauthorized\b/i,
    ],
  ],
  [
    'branch-not-found',
    [/remote branch .+ not found in upstream/i, /couldn't find remote ref/i, /could not find remote branch/i],
  ],
  [
    'not-found',
    [
      /repository '.*' not found/i,
      /repository '.*' does not exist/i,
      /repository not found/i,
      /does not appear to be a git repository/i,
      /not a git repository/i,
      /repository not exported/i,
      /no such repository/i,
      /returned error: 404\b/i,
      /project you were looking for could not be found/i,
    ],
  ],
  [
    'unreachable',
    [
      /could not resolve host/i,
      /could not resolve hostname/i,
      /failed to connect to/i,
      /couldn't connect to server/i,
      /connection refused/i,
      /connection timed out/i,
      /network is unreachable/i,
    ],
  ],
];

/**
 * Reads git's stderr for the failures a person can act on: credentials refused or missing,
 * a branch or repository that is not there, a host that cannot be reached. Undefined when it
 * says none of these.
 */
export function classifyGitStderr(stderr: string): GitRemoteProblem | undefined {
  for (const [problem, patterns] of PATTERNS) {
    if (patterns.some((pattern) => pattern.test(stderr))) return problem;
  }
  return undefined;
}
