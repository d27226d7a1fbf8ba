// docs/writing-a-lab.md stays true: its worked example is the shipped DR lab byte for byte, and its tables name exactly
// the modules, templates and check kinds the code has.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODULES } from '../../src/modules/registry.js';
import { templateVars } from '../../src/playbook/template.js';
import { parseLab } from '../../src/spec/load.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const doc = readFileSync(join(ROOT, 'docs', 'writing-a-lab.md'), 'utf8');

/** The fenced yaml block right after the line that names `file` in backquotes and ends with a colon. */
function blockAfter(file: string): string {
  const at = doc.indexOf(`\`${file}\`:\n\n\`\`\`yaml\n`);
  if (at < 0) throw new Error(`docs/writing-a-lab.md shows no yaml block for ${file}`);
  const start = doc.indexOf('```yaml\n', at) + '```yaml\n'.length;
  return doc.slice(start, doc.indexOf('```\n', start));
}

/** The backquoted first column of the table under `## heading`. */
function firstColumn(heading: string): string[] {
  const section = doc.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
  if (!section) throw new Error(`docs/writing-a-lab.md has no "## ${heading}"`);
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);
}

describe('docs/writing-a-lab.md', () => {
  it('shows labs/lvs-dr.yaml and playbooks/lvs-dr.yaml exactly as shipped', () => {
    for (const f of ['labs/lvs-dr.yaml', 'playbooks/lvs-dr.yaml']) expect(blockAfter(f), f).toBe(readFileSync(join(ROOT, f), 'utf8'));
  });

  it('lists every module of the registry, and only those', () => {
    expect(firstColumn('Playbook modules').sort()).toEqual(MODULES.map((m) => m.key).sort());
  });

  it('lists every template a host can use, and only those', () => {
    const lab = parseLab(join(ROOT, 'labs/lvs-dr.yaml'), readFileSync(join(ROOT, 'labs/lvs-dr.yaml'), 'utf8')).lab;
    const known = Object.keys(templateVars('web1', lab.hosts.web1!, '/var/www/html', lab)).map((k) => `{${k.replace(/^address\..+$/, 'address.NETWORK')}}`);
    expect(firstColumn('Templates').sort()).toEqual([...new Set(known)].sort());
  });

  it('lists every check kind of the spec schema, and only those', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'lab.schema.json'), 'utf8')) as { properties: { verify: { items: { oneOf: { properties: { check: { const: string } } }[] } } } };
    const kinds = schema.properties.verify.items.oneOf.map((o) => o.properties.check.const);
    expect(firstColumn('Check kinds').sort()).toEqual(kinds.sort());
  });
});
