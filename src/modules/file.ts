// file: exact content and mode, compared by bytes; down removes it.
import { createTwoFilesPatch } from 'diff';
import { z } from 'zod';
import { fill } from '../playbook/template.js';
import { quote } from '../ssh/quote.js';
import type { Change, Module } from './types.js';

export interface FileTask {
  path: string;
  content: string;
  mode: string;
}

const EOF = 'LAB_EOF';

/** The most readable exact command that writes `content`: printf for one line, a quoted here-document for several. */
export function writeCommand(path: string, content: string): string {
  const body = content.slice(0, -1);
  if (content.endsWith('\n') && !body.includes('\n')) return `printf '%s\\n' ${quote(body)} > ${quote(path)}`;
  // A quoted delimiter turns off every expansion, so the lines arrive byte for byte.
  if (content.endsWith('\n') && !content.split('\n').includes(EOF) && !content.includes('\r')) return `cat > ${quote(path)} <<'${EOF}'\n${content}${EOF}`;
  return `printf '%s' ${quote(content)} > ${quote(path)}`;
}

/** A unified diff of a file from its content now (undefined: it does not exist) to `after`, as `lab plan --diff` shows it. */
export function fileDiff(path: string, before: Buffer | undefined, after: string): string {
  const patch = createTwoFilesPatch(before === undefined ? '/dev/null' : path, path, before?.toString('utf8') ?? '', after, '', '', { context: 3 });
  // Drop the "Index:" line and the row of '=' that only separate patches in a series.
  return patch.replace(/^(Index: .*\n)?=+\n/, '').trimEnd();
}

/** `name: old → new` lines for values that change, as `lab plan --diff` shows them (a value that is unset shows as (none)). */
export function valuesDiff(rows: [name: string, before: string | undefined, after: string][]): string {
  const shown = (v: string | undefined) => (v === undefined || v === '' ? '(none)' : v);
  return rows
    .filter(([, b, a]) => shown(b) !== shown(a))
    .map(([n, b, a]) => `${n}: ${shown(b)} → ${shown(a)}`)
    .join('\n');
}

/** A change that writes `path` with `content`, carrying its diff. */
export function writeChange(title: string, path: string, before: Buffer | undefined, content: string, more: string[] = []): Change {
  return { title, commands: [writeCommand(path, content), ...more], diff: fileDiff(path, before, content) };
}

export const fileModule: Module<FileTask> = {
  key: 'file',
  schema: z.strictObject({ path: z.string().regex(/^[{/]/, { error: 'expected an absolute path' }), content: z.string(), mode: z.string().regex(/^0?[0-7]{3}$/).default('0644') }),
  bind: (raw: FileTask, vars) => ({ path: fill(raw.path, vars), content: fill(raw.content, vars), mode: raw.mode }),
  label: (t) => `file ${t.path}`,
  desired: (t) => [`file:${t.path}`],
  files: (t) => [t.path],
  plan(task, { facts }) {
    const cur = facts.files.get(task.path) ?? null;
    const changes: Change[] = [];
    if (!cur || !cur.content.equals(Buffer.from(task.content, 'utf8'))) {
      changes.push(writeChange(cur ? `rewrite ${task.path}` : `create ${task.path}`, task.path, cur?.content, task.content));
    }
    if (!cur || cur.mode !== task.mode.padStart(4, '0')) {
      changes.push({ title: `mode ${task.mode} on ${task.path}`, commands: [`chmod ${quote(task.mode)} ${quote(task.path)}`], diff: valuesDiff([[`mode of ${task.path}`, cur?.mode, task.mode.padStart(4, '0')]]) });
    }
    return changes;
  },
  down(task, { facts }) {
    return facts.files.get(task.path) ? [{ title: `remove ${task.path}`, commands: [`rm -f ${quote(task.path)}`] }] : [];
  },
};
