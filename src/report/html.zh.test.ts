// The HTML reports in Simplified Chinese: the same recorded verify results as html.test.ts, judged and rendered under
// zh-CN. Every fixed word of the page is Chinese, none of the English ones is left, and what the page's CSS, JS and
// links read (classes, ids, data attributes, anchors, the script) is the same as in English.
import { beforeAll, describe, expect, it } from 'vitest';
import { judgeRecorded, recordedLab, studentOf, type RecordedLab } from '../../test/unit/recorded-verify.js';
import type { StudentResult } from '../classroom/types.js';
import { getLang, withLang } from '../i18n/index.js';
import type { CheckResult } from '../verify/types.js';
import { labGraph } from '../graph/model.js';
import { renderDot } from '../graph/render.js';
import { renderSvg } from '../graph/svg.js';
import { classHtml, esc, verifyHtml } from './html.js';
import { summarize } from './verify.js';

let rec: RecordedLab;
beforeAll(async () => {
  rec = await recordedLab();
});

const WHEN = new Date('2026-12-05T10:00:00.000Z');
const zh = <T>(fn: () => T): T => withLang('zh-CN', fn);

/** The English page's fixed words, as they stand in its markup; none may be left on a Chinese page. */
const ENGLISH: (string | RegExp)[] = [
  'lang="en"',
  '>What failed<',
  '>Topology<',
  '>Checks<',
  '>Students × checks<',
  '>Each student<',
  'only the failing checks',
  'only students and checks with failures',
  '">passed<',
  '">failed<',
  // The summary's boxes (what hosts print, e.g. "Network is unreachable", may end a line in English).
  />\d+ (checks|passed|failed|unreachable|skipped)</,
  'checks passed',
  'attempts',
  'for a class',
  'students pass',
  'class report',
  '>roster ',
  '>pass<',
  '>FAIL<',
  '>skip<',
  '>unreachable<',
  '>expected<',
  '>found<',
  '>why<',
  '>fix<',
  '>look at<',
  '>skipped<',
  '>measured<',
  '>other<',
  '>student<',
  '>status<',
  '>first problem<',
  'not checked',
  'answers per real server',
];
const englishLeft = (html: string) => ENGLISH.filter((w) => (typeof w === 'string' ? html.includes(w) : w.test(html))).map(String);

/** What CSS, JS and links read: class, id, data-*, href and role attributes in order, and the script. */
function machinery(html: string): string[] {
  return [...html.matchAll(/\s(class|id|data-[a-z-]+|href|role|type|style)="([^"]*)"|<script>[\s\S]*?<\/script>/g)].map((m) => m[0]);
}

describe('verifyHtml in Simplified Chinese', () => {
  it('a broken lab: Chinese h1, summary, headings, filter, status words and row labels; no English fixed word left', () => {
    const results = zh(() => judgeRecorded(rec, 'web1-no-gateway'));
    const html = zh(() => verifyHtml({ lab: 'lvs-nat', target: 'instance lvs-nat', results, ms: 2345, attempts: 2, when: WHEN }));
    const sum = summarize(results);
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="zh-CN">\n')).toBe(true);
    expect(html).toContain('<title>lab verify lvs-nat</title>');
    expect(html).toContain('<h1>lab verify lvs-nat：<span class="bad">失败</span></h1>');
    expect(html).toContain('2.3 s · 共尝试 2 次</p>');
    expect(html).toContain(`<div class="summary"><span>共 ${sum.total} 项检查</span><span class="ok">${sum.passed} 项通过</span><span class="bad">${sum.failed} 项失败</span>`);
    expect(sum.skipped).toBeGreaterThan(0);
    expect(html).toContain(`<span>${sum.skipped} 项跳过</span></div>`);
    expect(html).toContain('<h2>失败的检查</h2>');
    expect(html).toContain('<h2>检查</h2>');
    expect(html).toContain('<label class="filter"><input type="checkbox" id="only-failing"> 只显示失败的检查</label>');
    expect(html).toContain('<span class="badge fail">失败</span>');
    expect(html).toContain('<span class="badge pass">通过</span>');
    expect(html).toContain('<span class="badge skip">跳过</span>');
    // The route failure on web1: its rows labelled in Chinese, its title, why and fix as the verify layer gave them.
    const route = results.find((r) => r.host === 'web1' && r.id === 'route')!;
    const i = results.indexOf(route);
    expect(route.title).toMatch(/[\u4e00-\u9fff]/);
    expect(html).toContain(`<a href="#c${i}">web1：${esc(route.title)}</a>`);
    const item = new RegExp(`<li class="check fail" id="c${i}">.*?</li>`).exec(html)![0];
    expect(item).toContain(`<dt>预期</dt><dd>${esc(route.expected)}</dd><dt>实际</dt><dd>${esc(route.found)}</dd><dt>原因</dt><dd>${esc(route.why!)}</dd><dt>修复</dt><dd><pre class="fix">`);
    for (const c of route.fix!) expect(item).toContain(esc(c));
    // The balancing bars: answers from no real server as 其他, the bars labelled for a screen reader.
    expect(html).toContain('aria-label="每台真实服务器的应答数"');
    expect(html).toContain('<span class="mono">其他</span>');
    expect(html).toContain('<dt>排查</dt>');
    expect(html).toContain('<dt>已跳过</dt>');
    expect(englishLeft(html)).toEqual([]);
  });

  it('a passing lab says 通过; the topology is 拓扑', async () => {
    const svg = await renderSvg(renderDot(labGraph(rec.lab)));
    const results = zh(() => judgeRecorded(rec, 'good'));
    const html = zh(() => verifyHtml({ lab: 'lvs-nat', target: 'instance lvs-nat', results, ms: 1000, attempts: 1, svg, when: WHEN }));
    expect(html).toContain('<h1>lab verify lvs-nat：<span class="ok">通过</span></h1>');
    expect(html).toContain('<span class="">0 项失败</span>');
    expect(html).not.toContain('<h2>失败的检查</h2>');
    expect(html).toMatch(/<h2>拓扑<\/h2><figure><svg /);
    expect(html).toContain('<dt>实际</dt>');
    expect(englishLeft(html)).toEqual([]);
  });

  it("every row label and summary box: skipped, unreachable, look at, measured", () => {
    const results: CheckResult[] = [
      { check: 'failover', id: 'failover', host: 'client', title: '故障切换', status: 'pass', expected: 'e', found: 'f', measured: { takeover_s: 0.9, outage_s: 1.5 } },
      { check: 'keepalived', id: 'vrrp', host: 'proxy2', title: 'VRRP', status: 'unreachable', expected: 'e', found: 'ssh: timeout', lookAt: ['proxy1', 'proxy2'] },
      { check: 'director', id: 'selinux', host: 'proxy1', title: 'SELinux', status: 'skip', expected: 'e', found: '没有 getenforce' },
    ];
    const html = zh(() => verifyHtml({ lab: 'k', target: 't', results, ms: 1, attempts: 1, when: WHEN }));
    expect(html).toContain('<dt>测得</dt><dd><span class="mono">takeover_s 0.9, outage_s 1.5</span></dd>');
    expect(html).toContain('<span class="badge unreachable">不可达</span>');
    expect(html).toContain('<span class="bad">1 项不可达</span>');
    expect(html).toContain('<span>1 项跳过</span>');
    expect(html).toContain('<dt>排查</dt><dd>proxy1, proxy2</dd>');
    expect(html).toContain('<dt>已跳过</dt><dd>没有 getenforce</dd>');
    expect(html).toContain('<a href="#c1">proxy2：VRRP</a>');
    expect(englishLeft(html)).toEqual([]);
  });

  it('translates words only: classes, ids, links, data attributes and the script are as in English', () => {
    const en = withLang('en', () => verifyHtml({ lab: 'lvs-nat', target: 't', results: judgeRecorded(rec, 'web1-no-gateway'), ms: 1, attempts: 1, when: WHEN }));
    const cn = zh(() => verifyHtml({ lab: 'lvs-nat', target: 't', results: judgeRecorded(rec, 'web1-no-gateway'), ms: 1, attempts: 1, when: WHEN }));
    expect(cn).not.toBe(en);
    expect(englishLeft(en).length).toBeGreaterThan(15);
    expect(machinery(cn)).toEqual(machinery(en));
    expect(machinery(cn).length).toBeGreaterThan(100);
  });

  it('the language is the one in effect when the page is built, and English again after', () => {
    const results = judgeRecorded(rec, 'good');
    expect(getLang()).toBe('en');
    expect(zh(() => verifyHtml({ lab: 'lvs-nat', target: 't', results, ms: 1, attempts: 1, when: WHEN }))).toContain('lang="zh-CN"');
    expect(verifyHtml({ lab: 'lvs-nat', target: 't', results, ms: 1, attempts: 1, when: WHEN })).toContain('<html lang="en">');
  });
});

describe('classHtml in Simplified Chinese', () => {
  function classPage() {
    return zh(() => {
      const good = judgeRecorded(rec, 'good');
      const noGw = judgeRecorded(rec, 'web1-no-gateway');
      const stopped = judgeRecorded(rec, 'web2-apache2-stopped');
      const students = [studentOf('alice', good), studentOf('bob', noGw), studentOf('carol', stopped)];
      return { students, noGw, html: classHtml({ lab: 'lvs-nat', roster: 'class.yaml', students, ms: 5000, when: WHEN }) };
    });
  }

  it('the grid and each student in Chinese: h1, title, headings, header cells, filter, tooltips, summaries; no English fixed word left', () => {
    const { students, noGw, html } = classPage();
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="zh-CN">\n')).toBe(true);
    expect(html).toContain('<title>lab verify lvs-nat：全班报告</title>');
    expect(html).toContain('<h1>lab verify lvs-nat（全班）：<span class="bad">3 名学生中 1 名通过</span></h1>');
    expect(html).toContain('<p class="meta">名单 class.yaml · ');
    expect(html).toContain('<h2>学生 × 检查</h2>');
    expect(html).toContain('<h2>每个学生</h2>');
    expect(html).toContain('<label class="filter"><input type="checkbox" id="only-failing"> 只显示有失败的学生和检查</label>');
    expect(html).toContain('<thead><tr><th class="who">学生</th><th>状态</th>');
    expect(html).toContain('<th>第一个问题</th></tr></thead>');
    // Check ids and host names stay as they are in the column labels; the column's tooltip is the Chinese title.
    const route = noGw.find((r) => r.host === 'web1' && r.id === 'route')!;
    expect(html).toContain(`title="web1：${esc(route.title)}">web1 route</th>`);
    expect(html).toContain(`<td class="cell fail" title="${esc(`bob · web1：${route.title} — 失败：${route.found}`)}"><a href="#s1-real-servers_route_web1">✗</a></td>`);
    expect(html).toMatch(/<td class="cell pass[^"]*" title="alice · [^"]* — 通过">/);
    for (const [i, s] of students.entries()) {
      const sum = summarize(s.checks!);
      expect(html).toContain(`<details class="student" id="s${i}"${i === 0 ? '' : ' open'}><summary><span class="badge ${i === 0 ? 'pass">通过' : 'fail">失败'}</span> <strong>${s.student}</strong> — ${sum.passed}/${sum.total} 项检查通过`);
    }
    expect(englishLeft(html)).toEqual([]);
  });

  it('an unreachable student, and a cell no check filled, in Chinese', () => {
    const alice = zh(() => studentOf('alice', judgeRecorded(rec, 'good')));
    const dave: StudentResult = { student: 'dave', status: 'unreachable', ms: 10, checks: [], unreachable: [{ host: 'proxy', error: 'connection refused' }], problem: 'proxy: connection refused' };
    const html = zh(() => classHtml({ lab: 'lvs-nat', roster: 'r', students: [alice, dave], ms: 10, when: WHEN }));
    expect(html).toContain('<h1>lab verify lvs-nat（全班）：<span class="bad">2 名学生中 1 名通过</span></h1>');
    expect(html).toContain('<td><span class="badge unreachable">不可达</span></td>');
    expect(html).toContain('<dt>实际</dt><dd>connection refused</dd>');
    expect(html).toContain('title="dave：未检查">·</td>');
    expect(html).toContain('<strong>dave</strong> — 0/0 项检查通过');
    expect(englishLeft(html)).toEqual([]);
  });

  it('translates words only: classes, ids, links, data attributes and the script are as in English', () => {
    const cn = classPage().html;
    const en = withLang('en', () => {
      const students = [studentOf('alice', judgeRecorded(rec, 'good')), studentOf('bob', judgeRecorded(rec, 'web1-no-gateway')), studentOf('carol', judgeRecorded(rec, 'web2-apache2-stopped'))];
      return classHtml({ lab: 'lvs-nat', roster: 'class.yaml', students, ms: 5000, when: WHEN });
    });
    expect(englishLeft(en).length).toBeGreaterThan(15);
    expect(machinery(cn)).toEqual(machinery(en));
    expect(machinery(cn).length).toBeGreaterThan(100);
  });
});
