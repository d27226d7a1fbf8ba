// Mask roster secrets in anything shown or written: text, structured results, error messages.
// Only whole values are masked: an occurrence glued to letters or digits on a side where the secret itself starts or
// ends with one is part of another word (a password "1" must not turn 127.0.0.1:1 into ***27.0.0.***:***), and secrets
// shorter than MIN_SECRET are refused where they are read (roster/env.ts, roster/load.ts) rather than mangling output.
export const MASK = '***';

/** Secrets shorter than this cannot be masked without masking ordinary text; lab refuses to run with them. */
export const MIN_SECRET = 4;

const WORD = /[\p{L}\p{N}]/u;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Redactor {
  private readonly secrets: string[];
  private readonly pattern: RegExp | undefined;

  constructor(secrets: Iterable<string> = []) {
    // Longest first, so a secret that contains another is masked whole.
    this.secrets = [...new Set([...secrets].filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
    const alternatives = this.secrets.map((s) => {
      const before = WORD.test(s[0]!) ? '(?<![\\p{L}\\p{N}])' : '';
      const after = WORD.test(s[s.length - 1]!) ? '(?![\\p{L}\\p{N}])' : '';
      return `${before}${escapeRegExp(s)}${after}`;
    });
    this.pattern = alternatives.length > 0 ? new RegExp(alternatives.join('|'), 'gu') : undefined;
  }

  get size(): number {
    return this.secrets.length;
  }

  text(s: string): string {
    return this.pattern ? s.replace(this.pattern, MASK) : s;
  }

  /** A deep copy with every string (keys too) masked: use before JSON or XML escaping changes how a secret looks. */
  deep<T>(value: T): T {
    if (this.secrets.length === 0) return value;
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.text(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v instanceof Map) return new Map([...v].map(([k, x]) => [walk(k), walk(x)]));
      if (v && typeof v === 'object' && !Buffer.isBuffer(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.text(k), walk(x)]));
      return v;
    };
    return walk(value) as T;
  }

  /** The same error class, with its message (and a SpecError's problems) masked. */
  error(e: unknown): unknown {
    if (!(e instanceof Error) || this.secrets.length === 0) return e;
    const masked = this.text(e.message);
    const problems = (e as { problems?: unknown }).problems;
    if (masked === e.message && !Array.isArray(problems)) return e;
    e.message = masked;
    if (Array.isArray(problems)) (e as unknown as { problems: unknown[] }).problems = problems.map((p) => (typeof p === 'string' ? this.text(p) : p));
    if (e.stack) e.stack = this.text(e.stack);
    return e;
  }
}
