// listen: the port a web server listens on, as its config's top-level `Listen` lines (Apache's httpd.conf / ports.conf).
// A student who moves the server to another port breaks the lab as surely as one who stops it: IPVS sends the
// service's port. The lines indented inside <IfModule> (Debian's `Listen 443` for TLS) are left alone.
import { z } from 'zod';
import { RunError } from '../errors.js';
import { fill } from '../playbook/template.js';
import { allNames, type OsFamily } from '../os/families.js';
import { argv, quote } from '../ssh/quote.js';
import { fileDiff } from './file.js';
import type { Change, HostContext, Module } from './types.js';

export interface ListenTask {
  /** The logical service, e.g. httpd. */
  service: string;
  port: number;
}

/** A top-level `Listen [ADDR:]PORT [PROTO]` line: its 1-based number and its port. */
export interface ListenLine {
  line: number;
  text: string;
  port: number;
}

export function listenLines(content: string): ListenLine[] {
  const out: ListenLine[] = [];
  content.split('\n').forEach((text, i) => {
    const m = /^Listen\s+(\S+)/.exec(text);
    if (!m) return;
    const port = Number(/(?:^|:)(\d+)$/.exec(m[1]!)?.[1]);
    if (Number.isInteger(port)) out.push({ line: i + 1, text: text.trimEnd(), port });
  });
  return out;
}

/** The config file of a logical service on this OS, or a clear error when the OS family has none. */
export function listenFile(os: OsFamily, service: string, host: string): string {
  const file = os.listenConfig[service];
  if (!file) throw new RunError(`the listen task names service ${service}, whose config file lab does not know on ${os.pretty} (known: ${Object.keys(os.listenConfig).join(', ')})`, host);
  return file;
}

/** What makes the file's top-level Listen lines exactly `ports`: lines to rewrite or delete by number, ports to append. */
interface ListenPlan {
  rewrite: { line: number; port: number }[];
  remove: number[];
  append: number[];
}

function listenPlan(content: string, ports: number[]): ListenPlan | undefined {
  const lines = listenLines(content);
  if (lines.length === ports.length && lines.every((l, i) => l.port === ports[i] && l.text === `Listen ${ports[i]}`)) return undefined;
  return {
    rewrite: lines.flatMap((l, i) => (i < ports.length && l.text !== `Listen ${ports[i]}` ? [{ line: l.line, port: ports[i]! }] : [])),
    remove: lines.slice(ports.length).map((l) => l.line),
    append: ports.slice(lines.length),
  };
}

/**
 * One sed that makes the file's top-level Listen lines exactly `ports`, in order: each existing line rewritten or
 * deleted by its number (the lines read with the facts), the rest appended. Empty when nothing differs.
 */
export function listenEdit(file: string, content: string, ports: number[]): string | undefined {
  const plan = listenPlan(content, ports);
  if (!plan) return undefined;
  const script = [...plan.rewrite.map((r) => `${r.line}s/.*/Listen ${r.port}/`), ...plan.remove.map((n) => `${n}d`)];
  const edit = script.length > 0 ? argv(['sed', '-i', ...script.flatMap((e) => ['-e', e]), file]) : '';
  const append = plan.append.map((p) => `printf 'Listen %s\\n' ${p} >> ${quote(file)}`);
  return [edit, ...append].filter(Boolean).join(' && ');
}

/** The file's text after listenEdit's edit (for plan --diff): the same plan applied to the text. */
export function listenAfter(content: string, ports: number[]): string {
  const plan = listenPlan(content, ports);
  if (!plan) return content;
  const rows = content.split('\n');
  for (const r of plan.rewrite) rows[r.line - 1] = `Listen ${r.port}`;
  const kept = rows.filter((_, i) => !plan.remove.includes(i + 1)).join('\n');
  return kept + plan.append.map((p) => `Listen ${p}\n`).join('');
}

/** The whole change that puts the service on `port`: the edit, then a restart only if it runs (else its start reads the file). */
export function listenChange(ctx: Pick<HostContext, 'facts' | 'os' | 'hostName'>, task: ListenTask): Change | undefined {
  const file = listenFile(ctx.os, task.service, ctx.hostName);
  const unit = ctx.os.services[task.service] ?? task.service;
  const cur = ctx.facts.files.get(file);
  if (!cur) {
    // Not installed when the facts were read: its package, earlier in the run, writes the stock file, which listens on 80.
    if (task.port === 80) return undefined;
    return { title: `${unit} on port ${task.port} once installed (${file})`, commands: [`sed -i 's/^Listen[[:space:]].*/Listen ${task.port}/' ${quote(file)}`, `systemctl try-restart ${quote(unit)}`] };
  }
  const content = cur.content.toString('utf8');
  const edit = listenEdit(file, content, [task.port]);
  if (!edit) return undefined;
  const now = listenLines(content);
  const was = now.length === 0 ? 'no Listen line' : now.map((l) => `line ${l.line}: ${l.text}`).join('; ');
  return {
    title: `${unit} listens on port ${task.port}: Listen ${task.port} in ${file} (${was})`,
    commands: [edit, `systemctl try-restart ${quote(unit)}`],
    record: { [`listen.${file}`]: now.map((l) => l.text.replace(/^Listen\s+/, '')).join(',') },
    diff: fileDiff(file, cur.content, listenAfter(content, [task.port])),
  };
}

export const listenModule: Module<ListenTask> = {
  key: 'listen',
  schema: z.strictObject({ service: z.string().min(1), port: z.union([z.number().int().min(1).max(65535), z.string().min(1)]) }),
  bind(raw: { service: string; port: number | string }, vars) {
    const port = Number(typeof raw.port === 'number' ? raw.port : fill(raw.port, vars));
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RunError(`listen: port ${JSON.stringify(raw.port)} is not a port number once filled (${port})`);
    return { service: raw.service, port };
  },
  names: (t) => ({ services: [t.service] }),
  label: (t) => `listen ${t.service} ${t.port}`,
  desired: (t) => [`listen:${t.service}:${t.port}`],
  // The OS is not known when the query is built: every family's file.
  files: (t) => allNames('listenConfig', [t.service]),
  plan(task, ctx) {
    const c = listenChange(ctx, task);
    return c ? [c] : [];
  },
  down(task, { facts, os, hostName }) {
    const file = listenFile(os, task.service, hostName);
    const was = facts.state.get(`listen.${file}`);
    const cur = facts.files.get(file);
    if (was === undefined || !cur) return [];
    const ports = was.split(',').filter(Boolean).map((w) => Number(/(\d+)$/.exec(w)?.[1]));
    const edit = listenEdit(file, cur.content.toString('utf8'), ports);
    const unit = os.services[task.service] ?? task.service;
    return edit ? [{ title: `${unit} back to ${was ? `Listen ${was.split(',').join(', ')}` : 'no Listen line'} in ${file}`, commands: [edit, `systemctl try-restart ${quote(unit)}`] }] : [];
  },
};
