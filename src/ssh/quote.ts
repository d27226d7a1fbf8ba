// The one quoting function between every value and every remote shell command.

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quote a value for a POSIX shell so it arrives as exactly one word, byte for byte. */
export function quote(value: string | number): string {
  const s = String(value);
  if (s.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte');
  if (s === '') return "''";
  if (SAFE.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A piece of shell text that is already safe (built by `sh` or a literal of ours). */
export class Raw {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export function raw(text: string): Raw {
  return new Raw(text);
}

type Arg = string | number | Raw | readonly (string | number | Raw)[];

function render(v: Arg): string {
  if (v instanceof Raw) return v.text;
  if (Array.isArray(v)) return v.map((x) => render(x)).join(' ');
  return quote(v as string | number);
}

/** Tagged template: literal parts are ours, every interpolated value is quoted. */
export function sh(parts: TemplateStringsArray, ...values: Arg[]): string {
  let out = parts[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (parts[i + 1] ?? '');
  });
  return out;
}

/** Join an argv into one command line, every word quoted. */
export function argv(words: readonly (string | number)[]): string {
  return words.map((w) => quote(w)).join(' ');
}
