// --report html:FILE: one self-contained HTML page (inline CSS, JS and SVG; nothing fetched), for one student's verify
// or for a class (a roster's verify): the topology, every check with expected, found, why and fix, the balancing
// distribution as bars, and for a class a grid of students × checks with a filter on failures.
import type { StudentResult } from '../classroom/types.js';
import { getLang, t } from '../i18n/index.js';
import { isFailing, type CheckResult, type Status } from '../verify/types.js';
import { summarize, type Summary } from './verify.js';

/** Escape text for HTML content and double-quoted attributes. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Graphviz's SVG as an element to inline: no XML declaration, no DOCTYPE (it names a DTD by URL), no comments. */
export function inlineSvg(svg: string): string {
  return svg
    .replace(/<\?xml[^>]*\?>/g, '')
    .replace(/<!DOCTYPE[^>]*>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .trim();
}

/** A status as the terminal words it, in the current language: pass, FAIL, skip, unreachable. */
const word = (status: Status): string => t(`report.${status}`);
const MARK: Record<Status, string> = { pass: '✓', fail: '✗', skip: '–', unreachable: '?' };

const CSS = `
:root { --pass: #1a7f37; --fail: #cf222e; --skip: #9a6700; --unr: #8250df; --line: #d0d7de; --dim: #57606a; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", sans-serif; margin: 0 auto; padding: 1.5rem; max-width: 1200px; color: #1f2328; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1rem; margin: 0; display: inline; }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
.meta { color: var(--dim); margin: 0 0 1rem; }
.badge { display: inline-block; min-width: 3.2em; text-align: center; font-weight: 600; font-size: 12px; padding: 0 .4em; border-radius: 3px; color: #fff; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); } .badge.skip { background: var(--skip); } .badge.unreachable { background: var(--unr); }
.summary { display: flex; gap: .75rem; flex-wrap: wrap; margin: .5rem 0; }
.summary span { padding: .2rem .6rem; border-radius: 4px; background: var(--bg); border: 1px solid var(--line); }
.ok { color: var(--pass); font-weight: 600; } .bad { color: var(--fail); font-weight: 600; }
figure { margin: 0; padding: .5rem; background: #fff; border: 1px solid var(--line); border-radius: 6px; overflow-x: auto; }
figure svg { max-width: 100%; height: auto; }
.checks { list-style: none; padding: 0; margin: 0; }
.check { border: 1px solid var(--line); border-radius: 6px; padding: .45rem .7rem; margin: .4rem 0; background: #fff; }
.check.fail, .check.unreachable { border-left: 4px solid var(--fail); }
ul.failing { list-style: none; padding: 0; margin: 0; } ul.failing li { margin: .2rem 0; }
.check .host { color: var(--dim); margin: 0 .5rem; }
.check .kind { color: var(--dim); font-size: 12px; float: right; }
dl.detail { display: grid; grid-template-columns: 6.5rem 1fr; gap: .15rem .75rem; margin: .5rem 0 0; }
dl.detail dt { color: var(--dim); } dl.detail dd { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
pre.fix { margin: 0; padding: .4rem .6rem; background: var(--bg); border-radius: 4px; white-space: pre-wrap; overflow-wrap: anywhere; }
.bars { display: grid; grid-template-columns: max-content 1fr max-content; gap: .2rem .6rem; align-items: center; max-width: 32rem; margin: .4rem 0 0; }
.bar { height: .9rem; background: #0969da; border-radius: 2px; min-width: 2px; } .bar.other { background: var(--fail); }
.bars .n { font-variant-numeric: tabular-nums; }
label.filter { display: inline-block; margin: .5rem 0; user-select: none; }
body.only-failing .check.pass, body.only-failing .check.skip { display: none; }
body.only-failing tr.r-ok, body.only-failing .c-ok { display: none; }
.grid-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; }
table.grid { border-collapse: collapse; font-size: 12.5px; }
table.grid th, table.grid td { border: 1px solid var(--line); padding: 2px 4px; text-align: center; }
table.grid th.col { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; font-weight: 500; max-height: 14rem; }
table.grid th.who, table.grid td.who { text-align: left; white-space: nowrap; position: sticky; left: 0; background: #fff; }
table.grid td.cell a { text-decoration: none; display: block; font-weight: 700; }
td.pass { background: #dafbe1; } td.pass a { color: var(--pass); }
td.fail { background: #ffebe9; } td.fail a { color: var(--fail); }
td.skip { background: #fff8c5; } td.skip a { color: var(--skip); }
td.unreachable { background: #fbefff; } td.unreachable a { color: var(--unr); }
td.none { background: var(--bg); color: var(--dim); }
td.problem { text-align: left; color: var(--dim); max-width: 28rem; }
details.student { border: 1px solid var(--line); border-radius: 6px; margin: .5rem 0; padding: .4rem .7rem; }
details.student > summary { cursor: pointer; }
`;

/** Checkbox → body class `only-failing`; the CSS does the hiding. */
const FILTER_JS = `document.getElementById('only-failing').addEventListener('change', function (e) { document.body.classList.toggle('only-failing', e.target.checked); });`;

function page(title: string, body: string): string {
  return [
    '<!DOCTYPE html>',
    `<html lang="${getLang()}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Nothing may be fetched: no network source is allowed for any kind of resource, inline style and script only.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    `<title>${esc(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    `<body>`,
    body,
    `<script>${FILTER_JS}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function badge(status: Status): string {
  return `<span class="badge ${status}">${esc(word(status))}</span>`;
}

function summaryHtml(sum: Summary): string {
  const parts = [
    `<span>${esc(t('html.checks', { total: sum.total }))}</span>`,
    `<span class="ok">${esc(t('html.passedCount', { passed: sum.passed }))}</span>`,
    `<span class="${sum.failed ? 'bad' : ''}">${esc(t('html.failedCount', { failed: sum.failed }))}</span>`,
  ];
  if (sum.unreachable) parts.push(`<span class="bad">${esc(t('html.unreachableCount', { unreachable: sum.unreachable }))}</span>`);
  if (sum.skipped) parts.push(`<span>${esc(t('html.skippedCount', { skipped: sum.skipped }))}</span>`);
  return `<div class="summary">${parts.join('')}</div>`;
}

/** The balancing check's answers per real server as bars (answers from no real server as `other`, in red). */
export function barsHtml(dist: { host: string | null; count: number }[]): string {
  const top = Math.max(1, ...dist.map((d) => d.count));
  const rows = dist.map((d) => {
    const name = d.host ?? t('report.other');
    const width = ((d.count / top) * 100).toFixed(1);
    return `<span class="mono">${esc(name)}</span><div class="bar${d.host === null ? ' other' : ''}" style="width:${width}%" title="${esc(`${name}: ${d.count}`)}"></div><span class="n">${d.count}</span>`;
  });
  return `<div class="bars" role="img" aria-label="${esc(t('html.barsLabel'))}">${rows.join('')}</div>`;
}

/** One check: its verdict, and for a failure expected, found, why and the fix commands. */
function checkHtml(r: CheckResult, anchor?: string): string {
  const head = `${badge(r.status)}<span class="host">${esc(r.host)}</span><h3>${esc(r.title)}</h3><span class="kind mono">${esc(`${r.check} · ${r.id}`)}</span>`;
  const rows: string[] = [];
  const row = (name: string, html: string) => rows.push(`<dt>${esc(name)}</dt><dd>${html}</dd>`);
  if (isFailing(r.status)) {
    row(t('report.expected'), esc(r.expected));
    row(t('report.found'), esc(r.found));
    if (r.why) row(t('report.why'), esc(r.why));
    if (r.fix && r.fix.length > 0) row(t('report.fix'), `<pre class="fix">${r.fix.map(esc).join('\n')}</pre>`);
    if (r.lookAt && r.lookAt.length > 0) row(t('html.lookAt'), esc(r.lookAt.join(', ')));
  } else if (r.status === 'skip') row(t('html.skipped'), esc(r.found));
  else row(t('report.found'), esc(r.found));
  if (r.measured) row(t('report.measured'), `<span class="mono">${esc(Object.entries(r.measured).map(([k, v]) => `${k} ${v}`).join(', '))}</span>`);
  const bars = r.distribution ? barsHtml(r.distribution) : '';
  return `<li class="check ${r.status}"${anchor ? ` id="${esc(anchor)}"` : ''}>${head}${bars}<dl class="detail">${rows.join('')}</dl></li>`;
}

/** The failures first, each a link to its check in full below. */
function failingList(results: CheckResult[]): string {
  const items = results.flatMap((r, i) => (isFailing(r.status) ? [`<li>${badge(r.status)} <a href="#c${i}">${esc(t('html.hostTitle', { host: r.host, title: r.title }))}</a></li>`] : []));
  return items.length > 0 ? `<h2>${esc(t('html.whatFailed'))}</h2><ul class="failing">${items.join('')}</ul>` : '';
}

function filterBox(what: string): string {
  return `<label class="filter"><input type="checkbox" id="only-failing"> ${esc(what)}</label>`;
}

function topology(svg: string | undefined): string {
  return svg ? `<h2>${esc(t('html.topology'))}</h2><figure>${inlineSvg(svg)}</figure>` : '';
}

export interface VerifyHtmlInput {
  lab: string;
  /** Who or what was verified: the instance, inventory or student. */
  target: string;
  results: CheckResult[];
  ms: number;
  attempts: number;
  /** The topology drawn from the spec (Graphviz SVG). */
  svg?: string;
  when: Date;
}

/** One student's (or one instance's) lab verify as a page. */
export function verifyHtml(v: VerifyHtmlInput): string {
  const sum = summarize(v.results);
  const ok = sum.failed + sum.unreachable === 0;
  const verdict = `<span class="${ok ? 'ok' : 'bad'}">${esc(t(ok ? 'html.passed' : 'html.failed'))}</span>`;
  const body = [
    `<h1>${t('html.heading', { lab: esc(v.lab), verdict })}</h1>`,
    `<p class="meta">${esc(v.target)} · ${esc(v.when.toISOString().replace(/\.\d+Z$/, 'Z'))} · ${(v.ms / 1000).toFixed(1)} s${v.attempts > 1 ? ` · ${esc(t('html.attempts', { attempts: v.attempts }))}` : ''}</p>`,
    summaryHtml(sum),
    failingList(v.results),
    topology(v.svg),
    `<h2>${esc(t('html.checksHeading'))}</h2>`,
    filterBox(t('html.onlyFailingChecks')),
    `<ul class="checks">${v.results.map((r, i) => checkHtml(r, `c${i}`)).join('')}</ul>`,
  ];
  return page(`lab verify ${v.lab}`, body.join('\n'));
}

export interface ClassHtmlInput {
  lab: string;
  roster: string;
  students: StudentResult[];
  ms: number;
  svg?: string;
  when: Date;
}

/** A column of the class grid: one check of the spec on one host. */
interface Column {
  key: string;
  label: string;
  title: string;
}

const keyOf = (r: CheckResult) => `${r.check}/${r.id}@${r.host}`;

/** The columns in the order the checks first appear, so every student's row reads like their own verify. */
function columnsOf(students: StudentResult[]): Column[] {
  const cols = new Map<string, Column>();
  for (const s of students) for (const r of s.checks ?? []) if (!cols.has(keyOf(r))) cols.set(keyOf(r), { key: keyOf(r), label: `${r.host} ${r.id}`, title: t('html.hostTitle', { host: r.host, title: r.title }) });
  return [...cols.values()];
}

/** A class's verify (`--roster`) as a page: the grid of students × checks, then each student's failures in full. */
export function classHtml(c: ClassHtmlInput): string {
  const cols = columnsOf(c.students);
  const failingCols = new Set(c.students.flatMap((s) => (s.checks ?? []).filter((r) => isFailing(r.status)).map(keyOf)));
  const anchor = (student: number, key: string) => `s${student}-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const colClass = (key: string) => (failingCols.has(key) ? '' : ' c-ok');
  const head = `<tr><th class="who">${esc(t('html.student'))}</th><th>${esc(t('html.status'))}</th>${cols.map((col) => `<th class="col${colClass(col.key)}" title="${esc(col.title)}">${esc(col.label)}</th>`).join('')}<th>${esc(t('html.firstProblem'))}</th></tr>`;
  const rows = c.students.map((s, i) => {
    const byKey = new Map((s.checks ?? []).map((r) => [keyOf(r), r]));
    const cells = cols.map((col) => {
      const r = byKey.get(col.key);
      if (!r) return `<td class="cell none${colClass(col.key)}" title="${esc(t('html.notChecked', { student: s.student }))}">·</td>`;
      const tipVars = { student: s.student, host: r.host, title: r.title, status: word(r.status) };
      const tip = isFailing(r.status) ? t('html.cellTipFound', { ...tipVars, found: r.found }) : t('html.cellTip', tipVars);
      return `<td class="cell ${r.status}${colClass(col.key)}" title="${esc(tip)}"><a href="#${anchor(i, col.key)}">${MARK[r.status]}</a></td>`;
    });
    const status = s.status === 'ok' ? 'pass' : s.status === 'unreachable' ? 'unreachable' : 'fail';
    return `<tr class="${s.status === 'ok' ? 'r-ok' : 'r-bad'}" data-student="${esc(s.student)}"><td class="who"><a href="#s${i}">${esc(s.student)}</a></td><td>${badge(status)}</td>${cells.join('')}<td class="problem">${esc(s.problem ?? '')}</td></tr>`;
  });
  const okCount = c.students.filter((s) => s.status === 'ok').length;
  const details = c.students.map((s, i) => {
    const checks = s.checks ?? [];
    const sum = summarize(checks);
    const unreachable = (s.unreachable ?? []).map((u) => `<li class="check unreachable">${badge('unreachable')}<span class="host">${esc(u.host)}</span><dl class="detail"><dt>${esc(t('report.found'))}</dt><dd>${esc(u.error)}</dd></dl></li>`);
    const list = checks.map((r) => checkHtml(r, anchor(i, keyOf(r))));
    return `<details class="student" id="s${i}"${s.status === 'ok' ? '' : ' open'}><summary>${badge(s.status === 'ok' ? 'pass' : s.status === 'unreachable' ? 'unreachable' : 'fail')} <strong>${esc(s.student)}</strong> — ${esc(t('html.studentPassed', { passed: sum.passed, total: sum.total }))}${s.problem ? ` · ${esc(s.problem)}` : ''}</summary><ul class="checks">${[...unreachable, ...list].join('')}</ul></details>`;
  });
  const verdict = `<span class="${okCount === c.students.length ? 'ok' : 'bad'}">${esc(t('html.studentsPass', { ok: okCount, total: c.students.length }))}</span>`;
  const body = [
    `<h1>${t('html.classHeading', { lab: esc(c.lab), verdict })}</h1>`,
    `<p class="meta">${esc(t('html.roster', { roster: c.roster }))} · ${esc(c.when.toISOString().replace(/\.\d+Z$/, 'Z'))} · ${(c.ms / 1000).toFixed(1)} s</p>`,
    `<h2>${esc(t('html.grid'))}</h2>`,
    filterBox(t('html.onlyFailingStudents')),
    `<div class="grid-wrap"><table class="grid"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table></div>`,
    topology(c.svg),
    `<h2>${esc(t('html.eachStudent'))}</h2>`,
    details.join('\n'),
  ];
  return page(t('html.classTitle', { lab: c.lab }), body.join('\n'));
}
