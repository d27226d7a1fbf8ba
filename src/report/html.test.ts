// The HTML reports over verify results judged from states recorded on the lab's VMs: every check is on the page with
// its explanation, nothing is fetched, text is escaped. (test/browser opens the same pages in Chromium.)
import { beforeAll, describe, expect, it } from 'vitest';
import { judgeRecorded, recordedLab, studentOf, type RecordedLab } from '../../test/unit/recorded-verify.js';
import type { StudentResult } from '../classroom/types.js';
import type { CheckResult } from '../verify/types.js';
import { labGraph } from '../graph/model.js';
import { renderDot } from '../graph/render.js';
import { renderSvg } from '../graph/svg.js';
import { barsHtml, classHtml, esc, inlineSvg, verifyHtml } from './html.js';

let rec: RecordedLab;
beforeAll(async () => {
  rec = await recordedLab();
});

const WHEN = new Date('2026-12-05T10:00:00.000Z');
const count = (html: string, needle: string) => html.split(needle).length - 1;

/** Every way markup or CSS could fetch: URL-bearing attributes other than in-page anchors, url(), @import. (A URL in
 *  text, such as a fix's `curl http://192.168.2.100/`, is text.) */
function fetches(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href|action|poster|data|srcset)\s*=\s*"(?!#)[^"]*"|url\(|@import/gi)].map((m) => m[0]);
}


describe('verifyHtml', () => {
  it("shows every check of a broken lab, each failure's expected, found, why and fix, and the balancing bars", () => {
    const results = judgeRecorded(rec, 'web1-no-gateway');
    const html = verifyHtml({ lab: 'lvs-nat', target: 'instance lvs-nat', results, ms: 2345, attempts: 1, when: WHEN });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    for (const r of results) expect(html, r.title).toContain(esc(r.title));
    const failing = results.filter((r) => r.status === 'fail');
    expect(failing.length).toBeGreaterThan(0);
    expect(count(html, '<li class="check fail"')).toBe(failing.length);
    expect(count(html, '<li class="check pass"')).toBe(results.filter((r) => r.status === 'pass').length);
    for (const r of failing) {
      expect(html).toContain(esc(r.why!));
      for (const c of r.fix ?? []) expect(html).toContain(esc(c));
    }
    // The route check on web1 says why and gives the exact command for web1's own profile.
    const route = results.find((r) => r.host === 'web1' && r.id === 'route')!;
    expect(route.status).toBe('fail');
    expect(html).toContain(esc(route.fix![0]!));
    expect(html).toMatch(/<div class="bars"[^>]*><span class="mono">web1<\/span><div class="bar" style="width:[\d.]+%"/);
    expect(html).toContain('lab verify lvs-nat: <span class="bad">failed</span>');
    // The failures first, each linking to its check in full.
    const i = results.indexOf(route);
    expect(html).toContain(`<h2>What failed</h2>`);
    expect(html).toContain(`<a href="#c${i}">web1: ${esc(route.title)}</a>`);
    expect(html).toContain(`<li class="check fail" id="c${i}">`);
    expect(fetches(html)).toEqual([]);
  });

  it('a passing lab says so; passing checks show what was found', () => {
    const results = judgeRecorded(rec, 'good');
    const html = verifyHtml({ lab: 'lvs-nat', target: 'instance lvs-nat', results, ms: 1000, attempts: 2, when: WHEN });
    expect(html).toContain('lab verify lvs-nat: <span class="ok">passed</span>');
    expect(html).toContain('1.0 s · 2 attempts');
    expect(count(html, '<li class="check fail"')).toBe(0);
    expect(html).not.toContain('What failed');
    expect(html).toContain(esc(results.find((r) => r.id === 'balancing')!.found));
  });

  it('escapes what hosts print: markup in a found text stays text', () => {
    const evil: CheckResult = { check: 'director', id: 'vip', host: 'proxy', title: 'VIP <b>x</b>', status: 'fail', expected: 'a & b', found: '<script>alert(1)</script>', why: '"quoted"', fix: ["echo '<img src=x>'"] };
    const html = verifyHtml({ lab: 'lvs-nat', target: 't', results: [evil], ms: 1, attempts: 1, when: WHEN });
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>x');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('a &amp; b');
    expect(html).toContain('&quot;quoted&quot;');
  });

  it('shows what failover and health measured', () => {
    const r: CheckResult = { check: 'failover', id: 'failover', host: 'client', title: 'failover', status: 'pass', expected: 'e', found: 'f', measured: { takeover_s: 0.9, outage_s: 1.5 } };
    const html = verifyHtml({ lab: 'k', target: 't', results: [r], ms: 1, attempts: 1, when: WHEN });
    expect(html).toContain('takeover_s 0.9, outage_s 1.5');
  });
});

describe('barsHtml', () => {
  it('one bar per real server, the longest full width, answers from no real server in red', () => {
    const html = barsHtml([
      { host: 'web1', count: 4 },
      { host: 'web2', count: 0 },
      { host: null, count: 2 },
    ]);
    expect(html).toContain('<span class="mono">web1</span><div class="bar" style="width:100.0%" title="web1: 4"></div><span class="n">4</span>');
    expect(html).toContain('<span class="mono">web2</span><div class="bar" style="width:0.0%" title="web2: 0"></div><span class="n">0</span>');
    expect(html).toContain('<span class="mono">other</span><div class="bar other" style="width:50.0%"');
  });
});

describe('classHtml', () => {
  it('a grid of students × checks: a row per student, a column per check and host, failing ones marked; then each student in full', () => {
    const good = judgeRecorded(rec, 'good');
    const noGw = judgeRecorded(rec, 'web1-no-gateway');
    const stopped = judgeRecorded(rec, 'web2-apache2-stopped');
    const students = [studentOf('alice', good), studentOf('bob', noGw), studentOf('carol', stopped)];
    const html = classHtml({ lab: 'lvs-nat', roster: 'class.yaml', students, ms: 5000, when: WHEN });
    expect(html).toContain('1 of 3 students pass');
    for (const s of students) expect(html).toContain(`data-student="${s.student}"`);
    expect(count(html, '<tr class="r-ok"')).toBe(1);
    expect(count(html, '<tr class="r-bad"')).toBe(2);
    // A column per check and host, in verify's order.
    const columns = [...html.matchAll(/<th class="col[^"]*" title="[^"]*">([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(columns).toEqual(good.map((r) => `${r.host} ${r.id}`));
    // A column nobody fails can be hidden by the filter; one that bob or carol fails cannot.
    const colClass = (label: string) => new RegExp(`<th class="(col[^"]*)" title="[^"]*">${label}</th>`).exec(html)![1];
    expect(colClass('web1 route')).toBe('col');
    expect(colClass('proxy ip_forward')).toBe('col c-ok');
    // Each failing cell links to that student's check in full, where why and fix are.
    const bobRoute = noGw.find((r) => r.host === 'web1' && r.id === 'route')!;
    expect(html).toMatch(/<td class="cell fail" title="bob · web1: [^"]*"><a href="#s1-real-servers_route_web1">✗<\/a><\/td>/);
    expect(html).toContain('<li class="check fail" id="s1-real-servers_route_web1">');
    expect(html).toContain(esc(bobRoute.why!));
    expect(count(html, '<details class="student"')).toBe(3);
    expect(html).toContain('<details class="student" id="s0"><summary>');
    expect(html).toContain('<details class="student" id="s1" open><summary>');
    expect(fetches(html)).toEqual([]);
  });

  it('a student whose hosts could not be reached has a row and says which host and why', () => {
    const s: StudentResult = { student: 'dave', status: 'unreachable', ms: 10, checks: [], unreachable: [{ host: 'proxy', error: 'connection refused' }], problem: 'proxy: connection refused' };
    const html = classHtml({ lab: 'lvs-nat', roster: 'r', students: [s], ms: 10, when: WHEN });
    expect(html).toContain('data-student="dave"');
    expect(html).toContain('<span class="badge unreachable">unreachable</span>');
    expect(html).toContain('connection refused');
  });
});

describe('inlineSvg', () => {
  it("drops Graphviz's XML declaration and DOCTYPE (a DTD by URL), keeps the drawing", () => {
    const svg = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<!-- Generated by graphviz version 13.1.2 (0)\n -->\n<!-- Title: lvs&#45;nat Pages: 1 -->\n<svg width="8pt"><g/></svg>\n';
    expect(inlineSvg(svg)).toBe('<svg width="8pt"><g/></svg>');
  });

  it("a page with the topology holds Graphviz's drawing inline, first thing in its figure", async () => {
    const svg = await renderSvg(renderDot(labGraph(rec.lab)));
    const html = verifyHtml({ lab: 'lvs-nat', target: 't', results: [], ms: 1, attempts: 1, svg, when: WHEN });
    expect(html).toMatch(/<figure><svg /);
    expect(html).not.toContain('<!--');
  });
});
