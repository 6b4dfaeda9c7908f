/**
 * Wildcard matching for `*` (any run of characters) and `?` (one character) in linear time: the greedy
 * two-pointer walk that backs up only to the last star. No regular expression is ever built from policy text.
 */

export function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (p < pattern.length && (c === '?' || c === text[t]) && c !== '*') {
      p++;
      t++;
    } else if (c === '*') {
      star = p++;
      mark = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}
