import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings for `watch`, a process that runs for weeks with a small live heap (about 35 MB
 * with 1,000 repositories) and a steady stream of short-lived garbage (every poll's request,
 * response and events). V8's defaults suit the opposite: the young generation grows to 2 × 16 MB,
 * and after each full collection the old generation may grow to about four times what survived
 * it; memory is given back only when the process goes idle, which a process polling every few
 * seconds never does.
 *
 * - `--semi-space-growth-factor=1`: the young generation keeps its initial size (2 × 1 MB).
 *   Its maximum can only be set before V8 starts (`--max-semi-space-size`), but the growth
 *   factor is read each time V8 would grow it, so set now it holds.
 * - `--heap-growing-percent=20`: the old generation may grow 20 % past what survived the last
 *   full collection before the next one (30 % until decision 32: 2 to 3 MB more peak RSS at
 *   5,000 repositories, the same CPU).
 *
 * Measured on `sentry-git watch` with 1,000 repositories polled every 5 s (four processes side by
 * side, same load): RSS 160 MB after 2.5 minutes with V8's defaults (235 MB in a run alone),
 * 110 MB with these flags, steady; CPU time +16 to +19 %, almost all of it the more frequent
 * young-generation collections. docs/decisions.md, "Heap settings of watch", has the figures.
 */
export const DAEMON_HEAP_FLAGS = ['--semi-space-growth-factor=1', '--heap-growing-percent=20'] as const;

/**
 * WebAssembly compiled by the baseline compiler only. undici (the providers' HTTP client, and
 * Node's own fetch) parses HTTP with llhttp compiled to WebAssembly; once its functions are hot,
 * V8 recompiles them with its optimising compiler on background threads, which took about
 * 35 MB of RSS for a moment (the peak of a `watch` with 200 repositories, 12 MB of it kept)
 * and made no measurable difference to the CPU time per request (a loopback client and server
 * sending 4,000 requests: 0.27 ms per request with it, 0.22 to 0.25 ms without).
 */
export const DAEMON_WASM_FLAGS = ['--liftoff-only'] as const;

/**
 * V8 flags for a long-running `watch` that V8 reads only as it starts: they must be given to node
 * in front of `bin/run.js`, as the container image's ENTRYPOINT does (deploy/docker/Dockerfile);
 * `v8.setFlagsFromString` from inside the process does not undo what they switch off.
 *
 * - `--no-memory-reducer`: V8's memory reducer runs up to three memory-reducing full collections
 *   once a process goes quiet. For `watch` that is every pause between poll cycles, and each time
 *   it dropped about a hundred functions' optimised code ("weak objects" in `--trace-deopt`), so
 *   every cycle began in the interpreter and paid for TurboFan again (about 150 compilations,
 *   0.55 s of a compiler thread per 10,000-request cycle, against about 25 with the flag). The
 *   peak is reached while polling, not in the pause, so it stays where it was. docs/decisions.md,
 *   "watch's node flags", has the figures.
 */
export const DAEMON_NODE_FLAGS = ['--no-memory-reducer'] as const;

/** V8 flags that size the heap or choose WebAssembly's compilers: set by the user (NODE_OPTIONS, node's argv), they win. */
const HEAP_FLAG =
  /^--(?:max[-_]semi[-_]space[-_]size|min[-_]semi[-_]space[-_]size|semi[-_]space[-_]growth[-_]factor|max[-_]old[-_]space[-_]size|max[-_]heap[-_]size|initial[-_]heap[-_]size|initial[-_]old[-_]space[-_]size|heap[-_]growing[-_]percent|(?:no[-_])?optimize[-_]for[-_]size)(?:=|$)/;
const WASM_FLAG =
  /^--(?:no[-_])?(?:liftoff|liftoff[-_]only|wasm[-_]tier[-_]up|wasm[-_]dynamic[-_]tiering)(?:=|$)/;

export interface HeapChoice {
  /** The flags to set: none for a short command; a group the user chose flags of is left out. */
  flags: readonly string[];
  /** Why: shown in watch's debug log. */
  reason: 'long-running watch' | 'not a long-running command' | 'heap flags set by the user';
}

/**
 * Which V8 flags `argv` (the CLI's arguments) should run with. Only `watch` without `--once`
 * runs long enough for its heap's size to matter; short commands keep V8's defaults (faster).
 */
export function chooseHeapFlags(
  argv: readonly string[],
  node: { execArgv: readonly string[]; nodeOptions: string | undefined },
): HeapChoice {
  if (argv[0] !== 'watch' || argv.includes('--once'))
    return { flags: [], reason: 'not a long-running command' };
  const userFlags = [...node.execArgv, ...(node.nodeOptions ?? '').split(/\s+/)];
  const userHeap = userFlags.some((flag) => HEAP_FLAG.test(flag));
  const userWasm = userFlags.some((flag) => WASM_FLAG.test(flag));
  return {
    flags: [...(userHeap ? [] : DAEMON_HEAP_FLAGS), ...(userWasm ? [] : DAEMON_WASM_FLAGS)],
    reason: userHeap ? 'heap flags set by the user' : 'long-running watch',
  };
}

/**
 * Sets the chosen flags. Call it first thing in the process, before loading anything grows the
 * young generation (it never shrinks back while the process is busy).
 */
export function tuneHeap(choice: HeapChoice): void {
  if (choice.flags.length > 0) setFlagsFromString(choice.flags.join(' '));
}
