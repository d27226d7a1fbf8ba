// lab verify on the terminal (a compact pass/fail list, explanations under failures) and as JSON.
import stringWidth from 'string-width';
import { getLang, t } from '../i18n/index.js';
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

/** Chinese, Japanese and Korean characters and full-width forms: two columns each on a terminal. */
const WIDE = '\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6';
const HAS_WIDE = new RegExp(`[${WIDE}]`);
const WIDE_OR_RUN = new RegExp(`[${WIDE}]|[^${WIDE}]+`, 'g');
/** Punctuation a line never starts with, and punctuation it never ends with. */
const CLOSING = new Set([...'，。、：；！？）》」』】”’']);
const OPENING = new Set([...'（《「『【“‘']);

/** The columns a text takes on a terminal (string-width: East Asian wide characters take two; English, its length). */
export function columns(text: string): number {
  return stringWidth(text);
}

/** padEnd by columns, not by UTF-16 units: `失败` takes four. */
export function padColumns(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - columns(text)));
}

/**
 * The pieces a line may break between: words, and in Chinese also between two characters (never before closing or
 * after opening punctuation). `space`: the piece was after a space, which the line keeps.
 */
function pieces(text: string): { text: string; space: boolean }[] {
  const out: { text: string; space: boolean }[] = [];
  // English breaks at spaces only, as it always did, even around a Chinese quote (the course note's own words).
  const cjk = getLang() !== 'en';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!cjk || !HAS_WIDE.test(word)) {
      out.push({ text: word, space: true });
      continue;
    }
    const start = out.length;
    for (const part of word.match(WIDE_OR_RUN) ?? []) {
      const last = out[out.length - 1];
      if (out.length > start && last && (CLOSING.has(part) || OPENING.has(last.text.slice(-1)))) last.text += part;
      else out.push({ text: part, space: out.length === start });
    }
  }
  return out;
}

function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let cur = '';
  for (const p of pieces(text)) {
    const gap = cur && p.space ? ' ' : '';
    if (cur && columns(cur) + gap.length + columns(p.text) > width) {
      lines.push(cur);
      cur = p.text;
    } else cur = `${cur}${gap}${p.text}`;
  }
  if (cur) lines.push(cur);
  return lines.join(`\n${indent}`);
}

/**
 * The balancing check's answers as one bar per real server, one block per answer (`web1 ████ 4`), and the answers no
 * real server gave as `other` in red. Bars scale down only when a count passes 40.
 */
export function distributionBars(dist: { host: string | null; count: number }[], s: Style): string[] {
  const other = t('report.other');
  const nameW = Math.max(5, ...dist.map((d) => columns(d.host ?? other)));
  const top = Math.max(1, ...dist.map((d) => d.count));
  const scale = top > 40 ? 40 / top : 1;
  return dist.map((d) => {
    const bar = '█'.repeat(Math.round(d.count * scale)) || '·';
    const name = padColumns(d.host ?? other, nameW);
    return `${s.dim(name)} ${d.host === null ? s.red(bar) : s.cyan(bar)} ${d.count}`;
  });
}

/** Check kinds whose passing result shows what they measured. */
const MEASURED_KINDS = new Set(['failover', 'health']);

export function formatResults(results: CheckResult[], s: Style, meta: { ms: number; attempts: number; width?: number }): string {
  const hostW = Math.max(4, ...results.map((r) => r.host.length));
  const width = Math.max(60, (meta.width ?? 100) - 14);
  const out: string[] = [];
  const words = { pass: t('report.pass'), fail: t('report.fail'), skip: t('report.skip'), unreachable: t('report.unreachable') };
  const markW = Math.max(columns(words.pass), columns(words.fail), columns(words.skip), ...(results.some((r) => r.status === 'unreachable') ? [columns(words.unreachable)] : []));
  for (const r of results) {
    const word = padColumns(words[r.status], markW);
    const mark = r.status === 'pass' ? s.green(word) : r.status === 'skip' ? s.yellow(word) : s.red(word);
    out.push(`${mark}  ${r.host.padEnd(hostW)}  ${r.title}${r.status === 'skip' ? s.dim(`  ${t('report.aside', { text: r.found })}`) : ''}`);
    const pad = ' '.repeat(markW + 2 + hostW + 2);
    if (r.distribution) out.push(...distributionBars(r.distribution, s).map((l) => `${pad}${l}`));
    const field = (name: string, text: string) => `${pad}${s.dim(padColumns(name, 10))}${wrap(text, width - pad.length, pad + ' '.repeat(10))}`;
    // An active check's figures (the failover's outage, the health check's removal time) are its point, pass or fail.
    if (r.status === 'pass' && MEASURED_KINDS.has(r.check)) out.push(field(t('report.measured'), r.found));
    if (!isFailing(r.status)) continue;
    out.push(field(t('report.expected'), r.expected), field(t('report.found'), r.found));
    if (r.why) out.push(field(t('report.why'), r.why));
    (r.fix ?? []).forEach((c, i) => out.push(`${pad}${s.dim(padColumns(i === 0 ? t('report.fix') : '', 10))}${s.cyan(c)}`));
  }
  const sum = summarize(results);
  const tail = `${t('report.summary', { total: sum.total, passed: sum.passed, failed: sum.failed })}${sum.unreachable ? t('report.summaryUnreachable', { unreachable: sum.unreachable }) : ''}${sum.skipped ? t('report.summarySkipped', { skipped: sum.skipped }) : ''}`;
  const time = `${(meta.ms / 1000).toFixed(1)}s${meta.attempts > 1 ? t('report.attempts', { attempts: meta.attempts }) : ''}`;
  out.push('', `${sum.failed + sum.unreachable > 0 ? s.red(tail) : s.green(tail)} ${s.dim(t('report.aside', { text: time }))}`);
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
