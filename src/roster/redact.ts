// Mask roster secrets in anything shown or written: text, structured results, error messages.
export const MASK = '***';

export class Redactor {
  private readonly secrets: string[];

  constructor(secrets: Iterable<string> = []) {
    // Longest first, so a secret that contains another is masked whole.
    this.secrets = [...new Set([...secrets].filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
  }

  get size(): number {
    return this.secrets.length;
  }

  text(s: string): string {
    let out = s;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
    return out;
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
