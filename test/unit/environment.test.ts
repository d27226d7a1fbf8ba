// docs/environment.md lists exactly the LAB_* variables the code reads: lab's own (src/) and the Vagrantfile's.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

/** Variables read as env.LAB_X, env['LAB_X'], or named $LAB_X in help text. Heredoc markers (<<'LAB_EOF') are not reads. */
function readBySrc(): Set<string> {
  const names = new Set<string>();
  for (const f of sources(join(ROOT, 'src'))) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\benv(?:\.|\[['"])(LAB_[A-Z0-9_]+)/g)) names.add(m[1]!);
    for (const m of text.matchAll(/\$(LAB_[A-Z0-9_]+)/g)) names.add(m[1]!);
  }
  return names;
}

function readByVagrantfile(): Set<string> {
  const text = readFileSync(join(ROOT, 'vagrant', 'Vagrantfile'), 'utf8');
  return new Set([...text.matchAll(/ENV(?:\.fetch\(|\[)'(LAB[A-Z0-9_]*)'/g)].map((m) => m[1]!));
}

/** The first column of the table under `## heading` in docs/environment.md. */
function documented(heading: string): Set<string> {
  const doc = readFileSync(join(ROOT, 'docs', 'environment.md'), 'utf8');
  const section = doc.split(/^## /m).find((s) => s.startsWith(heading));
  if (!section) throw new Error(`docs/environment.md has no "## ${heading}"`);
  return new Set([...section.matchAll(/^\| `(LAB[A-Z0-9_]*)` \|/gm)].map((m) => m[1]!));
}

describe('docs/environment.md', () => {
  it("lists every LAB_* variable lab reads, and no other", () => {
    const read = readBySrc();
    // LAB_SSH_PASSWORD is set by lab ssh for its askpass helper, not read by lab.
    read.delete('LAB_SSH_PASSWORD');
    expect([...documented('`lab`')].sort()).toEqual([...read].sort());
  });

  it("lists every LAB* variable the Vagrantfile reads, and no other", () => {
    expect([...documented('`vagrant/Vagrantfile`')].sort()).toEqual([...readByVagrantfile()].sort());
  });
});
