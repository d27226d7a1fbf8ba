// lab verify on the terminal (a compact pass/fail list, explanations under failures) and as JSON.
import { isFailing, type CheckResult } from '../verify/types.js';
import { envelope, type Envelope } from './envelope.js';
import { styler } from './style.js';

type Style = ReturnType<typeof styler>;

export interface Summary {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  /** Checks that could not run: lab could not look at their host. */
  unreachable: number;
}

export function summarize(results: CheckResult[]): Summary {
  return {
    total: results.length,
    passed: results.filter((r) => r.status === 'pass').length,
    failed: results.filter((r) => r.status === 'fail').length,
    skipped: results.filter((r) => r.status === 'skip').length,
    unreachable: results.filter((r) => r.status === 'unreachable').length,
  };
}

function wrap(text: string, width: number, indent: string): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur && cur.length + 1 + w.length > width) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines.join(`\n${indent}`);
}

/**
 * The balancing check's answers as one bar per real server, one block per answer (`web1 ████ 4`), and the answers no
 * real server gave as `other` in red. Bars scale down only when a count passes 40.
 */
export function distributionBars(dist: { host: string | null; count: number }[], s: Style): string[] {
  const nameW = Math.max(5, ...dist.map((d) => (d.host ?? 'other').length));
  const top = Math.max(1, ...dist.map((d) => d.count));
  const scale = top > 40 ? 40 / top : 1;
  return dist.map((d) => {
    const bar = '█'.repeat(Math.round(d.count * scale)) || '·';
    const name = (d.host ?? 'other').padEnd(nameW);
    return `${s.dim(name)} ${d.host === null ? s.red(bar) : s.cyan(bar)} ${d.count}`;
  });
}

/** Check kinds whose passing result shows what they measured. */
const MEASURED_KINDS = new Set(['failover', 'health']);

export function formatResults(results: CheckResult[], s: Style, meta: { ms: number; attempts: number; width?: number }): string {
  const hostW = Math.max(4, ...results.map((r) => r.host.length));
  const width = Math.max(60, (meta.width ?? 100) - 14);
  const out: string[] = [];
  const markW = results.some((r) => r.status === 'unreachable') ? 'unreachable'.length : 4;
  for (const r of results) {
    const word = { pass: 'pass', fail: 'FAIL', skip: 'skip', unreachable: 'unreachable' }[r.status].padEnd(markW);
    const mark = r.status === 'pass' ? s.green(word) : r.status === 'skip' ? s.yellow(word) : s.red(word);
    out.push(`${mark}  ${r.host.padEnd(hostW)}  ${r.title}${r.status === 'skip' ? s.dim(`  (${r.found})`) : ''}`);
    const pad = ' '.repeat(markW + 2 + hostW + 2);
    if (r.distribution) out.push(...distributionBars(r.distribution, s).map((l) => `${pad}${l}`));
    const field = (name: string, text: string) => `${pad}${s.dim(name.padEnd(10))}${wrap(text, width - pad.length, pad + ' '.repeat(10))}`;
    // An active check's figures (the failover's outage, the health check's removal time) are its point, pass or fail.
    if (r.status === 'pass' && MEASURED_KINDS.has(r.check)) out.push(field('measured', r.found));
    if (!isFailing(r.status)) continue;
    out.push(field('expected', r.expected), field('found', r.found));
    if (r.why) out.push(field('why', r.why));
    (r.fix ?? []).forEach((c, i) => out.push(`${pad}${s.dim((i === 0 ? 'fix' : '').padEnd(10))}${s.cyan(c)}`));
  }
  const sum = summarize(results);
  const tail = `${sum.total} checks: ${sum.passed} passed, ${sum.failed} failed${sum.unreachable ? `, ${sum.unreachable} unreachable` : ''}${sum.skipped ? `, ${sum.skipped} skipped` : ''}`;
  const time = `${(meta.ms / 1000).toFixed(1)}s${meta.attempts > 1 ? `, ${meta.attempts} attempts` : ''}`;
  out.push('', `${sum.failed + sum.unreachable > 0 ? s.red(tail) : s.green(tail)} ${s.dim(`(${time})`)}`);
  return `${out.join('\n')}\n`;
}

export interface VerifyJson extends Envelope {
  lab: string;
  attempts: number;
  summary: Summary;
  checks: CheckResult[];
  /** Per host: ms spent connecting and in commands, and how many commands ran. */
  timing?: Record<string, { connect: number; exec: number; execs: number }>;
}

export function verifyJson(lab: string, results: CheckResult[], ms: number, attempts: number, timing?: VerifyJson['timing']): VerifyJson {
  const summary = summarize(results);
  return envelope('verify', lab, summary.failed + summary.unreachable === 0, ms, { attempts, summary, checks: results, ...(timing ? { timing } : {}) });
}
