// file: exact content and mode, compared by bytes; down removes it.
import { quote } from '../ssh/quote.js';
import type { Module } from './types.js';

export interface FileTask {
  path: string;
  content: string;
  mode: string;
}

/** The shortest exact command that writes `content`: printf keeps every byte, unlike echo. */
export function writeCommand(path: string, content: string): string {
  if (content.endsWith('\n') && !content.slice(0, -1).includes('\n')) return `printf '%s\\n' ${quote(content.slice(0, -1))} > ${quote(path)}`;
  return `printf '%s' ${quote(content)} > ${quote(path)}`;
}

export const fileModule: Module<FileTask> = {
  label: (t) => `file ${t.path}`,
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
