// file: exact content and mode, compared by bytes; down removes it.
import { z } from 'zod';
import { fill } from '../playbook/template.js';
import { quote } from '../ssh/quote.js';
import type { Module } from './types.js';

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

export const fileModule: Module<FileTask> = {
  key: 'file',
  schema: z.strictObject({ path: z.string().regex(/^[{/]/, { error: 'expected an absolute path' }), content: z.string(), mode: z.string().regex(/^0?[0-7]{3}$/).default('0644') }),
  bind: (raw: FileTask, vars) => ({ path: fill(raw.path, vars), content: fill(raw.content, vars), mode: raw.mode }),
  label: (t) => `file ${t.path}`,
  desired: (t) => [`file:${t.path}`],
  files: (t) => [t.path],
  plan(task, { facts }) {
    const cur = facts.files.get(task.path) ?? null;
    const changes = [];
    if (!cur || !cur.content.equals(Buffer.from(task.content, 'utf8'))) {
      changes.push({ title: cur ? `rewrite ${task.path}` : `create ${task.path}`, commands: [writeCommand(task.path, task.content)] });
    }
    if (!cur || cur.mode !== task.mode.padStart(4, '0')) {
      changes.push({ title: `mode ${task.mode} on ${task.path}`, commands: [`chmod ${quote(task.mode)} ${quote(task.path)}`] });
    }
    return changes;
  },
  down(task, { facts }) {
    return facts.files.get(task.path) ? [{ title: `remove ${task.path}`, commands: [`rm -f ${quote(task.path)}`] }] : [];
  },
};
