// OpenSSH's host pattern matching, ported from its match.c (match_pattern, match_pattern_list, match_hostname):
// `*` and `?` wildcards, comma lists, `!` negation that vetoes the whole list, names compared in ASCII lowercase.
// Pure and fast: the keeper runs it on every reuse of a kept connection.

/** ASCII-only lowercase, as C's tolower() in the C locale OpenSSH uses for host names. */
export function asciiLower(s: string): string {
  if (!/[A-Z]/.test(s)) return s;
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/** Whether `s` matches `pattern` (`*` any run, `?` any one character, all else literal); match.c match_pattern. */
export function matchPattern(s: string, pattern: string): boolean {
  const m = pattern.length;
  if (m === 0) return s.length === 0;
  if (!pattern.includes('*') && !pattern.includes('?')) return s === pattern; // the common case: no wildcard
  // The NFA of match.c: one state per pattern character plus the accepting state; `*` states have an epsilon edge.
  let states = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  const closure = (st: Uint8Array) => {
    for (let i = 0; i < m; i++) if (st[i] && pattern[i] === '*') st[i + 1] = 1;
  };
  states[0] = 1;
  closure(states);
  for (let k = 0; k < s.length; k++) {
    const ch = s[k];
    next.fill(0);
    for (let i = 0; i < m; i++) {
      if (!states[i]) continue;
      if (pattern[i] === '*') next[i] = 1;
      else if (pattern[i] === '?' || pattern[i] === ch) next[i + 1] = 1;
    }
    closure(next);
    [states, next] = [next, states];
    if (!states.some((x) => x === 1)) return false;
  }
  return states[m] === 1;
}

/** Longest subpattern match.c accepts (its buffer is 1024 bytes); a longer one makes the whole list not match. */
const MAX_SUB = 1023;

/**
 * A comma list of patterns, each maybe `!`-negated: -1 if a negated one matches (a veto, whatever else matches),
 * 1 if a positive one matches, 0 otherwise. With `lower`, patterns are lowercased first. match.c match_pattern_list.
 */
export function matchPatternList(s: string, list: string, lower: boolean): -1 | 0 | 1 {
  let positive = false;
  let i = 0;
  while (i < list.length) {
    let negated = false;
    if (list[i] === '!') {
      negated = true;
      i++;
    }
    let end = list.indexOf(',', i);
    if (end < 0) end = list.length;
    let sub = list.slice(i, end);
    if (sub.length >= MAX_SUB) return 0;
    if (lower) sub = asciiLower(sub);
    i = end < list.length ? end + 1 : end;
    if (matchPattern(s, sub)) {
      if (negated) return -1;
      positive = true;
    }
  }
  return positive ? 1 : 0;
}

/** A host name against a known_hosts name list, case-insensitively; match.c match_hostname. */
export function matchHostname(host: string, list: string): -1 | 0 | 1 {
  return matchPatternList(asciiLower(host), list, true);
}
