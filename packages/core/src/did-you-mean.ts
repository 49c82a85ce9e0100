import { closest, distance } from 'fastest-levenshtein';

/**
 * The candidate a mistyped word most likely meant: the same word spelled with other separators or
 * case, then the closest by edit distance (a few edits, more for longer words), then a word it
 * abbreviates. Null when none is close: a far-fetched suggestion misleads more than none.
 */
export function didYouMean(word: string, candidates: readonly string[]): string | null {
  if (candidates.length === 0) return null;
  const normalize = (text: string) => text.toLowerCase().replace(/[-_\s]/g, '');
  const same = candidates.find((candidate) => normalize(candidate) === normalize(word));
  if (same) return same;
  const best = closest(word.toLowerCase(), [...candidates]);
  const allowed = word.length <= 4 ? 1 : word.length <= 10 ? 2 : 3;
  if (distance(word.toLowerCase(), best) <= allowed) return best;
  // An abbreviation: `kubectl_ctx` for `kubectl_context`, `max_par` for `max_parallel`.
  const abbreviates = (candidate: string) => {
    const full = candidate.toLowerCase();
    const short = word.toLowerCase();
    if (short.length < 4 || !full.startsWith(short.slice(0, 3))) return false;
    let at = 0;
    for (const char of full) if (char === short[at]) at += 1;
    return at === short.length;
  };
  const abbreviated = candidates.filter(abbreviates).sort((a, b) => a.length - b.length);
  return abbreviated[0] ?? null;
}
