// Build the fact command's sectioned output from recorded real command outputs in test/fixtures/.
import { existsSync, readFileSync } from 'node:fs';
import { MARK } from '../../src/facts/script.js';

const dir = new URL('../fixtures/', import.meta.url);

export function fixture(path: string): string {
  return readFileSync(new URL(path, dir), 'utf8');
}

export function has(path: string): boolean {
  return existsSync(new URL(path, dir));
}

/** Sections in the fact command's format; `files` maps a path to [mode, content]. */
export function factOutput(sections: Record<string, string>, files: Record<string, [string, string]> = {}): string {
  const parts = Object.entries(sections).map(([k, v]) => `${MARK} ${k}\n${v}`);
  for (const [path, [mode, content]] of Object.entries(files)) parts.push(`${MARK} file ${path}\n${mode}\n${Buffer.from(content).toString('base64')}`);
  return parts.join('\n') + '\n';
}

/** nmcli's list view (NAME:UUID:TYPE:DEVICE) → our query's UUID:DEVICE:NAME. */
export function nmList(text: string): string {
  return text
    .trim()
    .split('\n')
    .map((l) => {
      const f = l.split(':');
      return `${f[1]}:${f[3]}:${f[0]}`;
    })
    .join('\n');
}
