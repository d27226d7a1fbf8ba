// Every `lab …` command line that README.md and docs/ show names a real command and only options it has; the ones
// that need no hosts (list, validate, schema, graph to stdout, help) are run as written and must succeed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import { lab } from './lab-cli.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** `lab …` from code spans and from code-block lines (`$ lab …` or `lab …`), comments dropped, `&&` split. */
function documented(): { file: string; line: string }[] {
  const out: { file: string; line: string }[] = [];
  for (const file of DOCS) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const found = [...text.matchAll(/`(lab [^`]+)`/g)].map((m) => m[1]!);
    let inBlock = false;
    for (const l of text.split('\n')) {
      if (l.startsWith('```')) inBlock = !inBlock;
      else if (inBlock && /^(\$ )?lab /.test(l)) found.push(l.replace(/^\$ /, '').replace(/\s+#.*$/, ''));
    }
    for (const f of found) for (const part of f.split(/\s*&&\s*/)) if (part.startsWith('lab ')) out.push({ file, line: part.trim() });
  }
  return out;
}

/** Each alternative of `a|b|c` in a word. */
function expand(words: string[]): string[][] {
  const i = words.findIndex((w) => /^[a-z]+(\|[a-z]+)+$/.test(w));
  if (i < 0) return [words];
  return words[i]!.split('|').flatMap((alt) => expand([...words.slice(0, i), alt, ...words.slice(i + 1)]));
}

function problemsOf(program: Command, words: string[]): string[] {
  let cmd = program;
  let i = 1;
  for (; i < words.length; i++) {
    const sub = cmd.commands.find((c) => c.name() === words[i]);
    if (!sub) break;
    cmd = sub;
  }
  if (cmd === program && !words.slice(1).every((w) => w === '--help' || w === '--version')) return [`no command "${words[1]}"`];
  // The program's own options (--color, --no-color) work after any command too.
  const known = new Set(['--help', '-h', ...[...cmd.options, ...program.options].flatMap((o) => [o.long, o.short].filter((x): x is string => !!x))]);
  // A group (lab vm, lab vm snapshot) shown alone is fine; an option on it must be one of its own.
  return words
    .slice(i)
    .map((w) => w.replace(/^\[|\]$/g, ''))
    .filter((w) => /^--?[a-z]/.test(w) && !known.has(w.split('=')[0]!))
    .map((w) => `${cmd.name()} has no option ${w}`);
}

describe('the command lines the docs show', { timeout: 60_000 }, () => {
  const lines = documented();

  it('are found (README and docs/ show lab commands)', () => {
    expect(lines.length).toBeGreaterThan(40);
  });

  it('name real commands, with options those commands have', () => {
    const program = buildProgram(() => {});
    const bad = lines.flatMap(({ file, line }) => expand(line.split(/\s+/)).flatMap((w) => problemsOf(program, w).map((p) => `${file}: \`${line}\`: ${p}`)));
    expect(bad).toEqual([]);
  });

  it('that need no hosts, work as written', async () => {
    const runnable = [...new Set(lines.map((l) => l.line).filter((l) => /^lab (list|schema(?: lab| output)?|validate (lvs-[a-z]+|labs\/\S+)|graph lvs-[a-z]+ (-f|--format) (text|dot|mermaid|json))$|--help$/.test(l)))];
    // At least list, schema and a validate are documented.
    expect(runnable.filter((l) => /^lab (list|schema(?: lab| output)?|validate)/.test(l)).length).toBeGreaterThanOrEqual(2);
    for (const l of runnable) {
      const r = await lab(l.split(/\s+/).slice(1), ROOT);
      expect(r.code, `${l}: ${r.stderr}`).toBe(0);
    }
  });
});

describe('lab --help and every command help', () => {
  it('describe every command, argument and option', () => {
    const program = buildProgram(() => {});
    const missing: string[] = [];
    const walk = (c: Command, path: string) => {
      if (!c.description()) missing.push(`${path}: no description`);
      for (const a of c.registeredArguments) if (!a.description) missing.push(`${path} <${a.name()}>: no description`);
      for (const o of c.options) if (!o.description) missing.push(`${path} ${o.flags}: no description`);
      for (const s of c.commands) walk(s, `${path} ${s.name()}`);
    };
    walk(program, 'lab');
    expect(missing).toEqual([]);
  });
});
