// The HTML reports and the topology SVG, opened from disk in headless Chromium (Debian's chromium, driven by
// playwright-core): no console error, no request beyond the file itself, every check and every student in the DOM, the
// failure filter works. Screenshots are kept in test-artifacts/ for a person to look at.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labGraph } from '../../src/graph/model.js';
import { renderDot } from '../../src/graph/render.js';
import { renderSvg } from '../../src/graph/svg.js';
import { classHtml, verifyHtml } from '../../src/report/html.js';
import { loadLab } from '../../src/spec/load.js';
import type { CheckResult } from '../../src/verify/types.js';
import { judgeRecorded, recordedLab, studentOf, type RecordedLab } from '../unit/recorded-verify.js';

const CHROMIUM = process.env.LAB_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const WHEN = new Date('2026-12-05T10:00:00.000Z');

let browser: Browser;
let rec: RecordedLab;
let svg: string;
let dir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install it with \`bash scripts/install-deps.sh --with-chromium\` (Debian's chromium), or set LAB_CHROMIUM`);
  // The flags keep Chromium from reaching out on its own (updates, sync, field trials): only the page may make requests.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  rec = await recordedLab();
  svg = await renderSvg(renderDot(labGraph(rec.lab)));
  dir = mkdtempSync(join(tmpdir(), 'lab-html-'));
  mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
}

/** Open a file from disk; record console errors, uncaught exceptions and every request other than the file's own. */
async function open(file: string): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const url = pathToFileURL(file).href;
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => r.url() !== url && requests.push(r.url()));
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors, requests };
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}


describe('HTML reports in headless Chromium', () => {
  it("one student's report: every check and its explanation in the DOM, no console error, no request; the filter hides passing checks", async () => {
    const results = judgeRecorded(rec, 'web1-no-gateway');
    const { page, errors, requests } = await open(write('student.html', verifyHtml({ lab: 'lvs-nat', target: 'instance lvs-nat', results, ms: 2345, attempts: 1, svg, when: WHEN })));
    expect(await page.locator('li.check').count()).toBe(results.length);
    const titles = await page.locator('li.check h3').allTextContents();
    expect(titles).toEqual(results.map((r) => r.title));
    // The topology drawing is there, with the lab's hosts.
    const drawn = await page.locator('figure svg').textContent();
    for (const h of Object.keys(rec.lab.hosts)) expect(drawn).toContain(h);
    // The route failure on web1, with its fix as text.
    const route = results.find((r) => r.host === 'web1' && r.id === 'route')!;
    expect(await page.locator('li.check.fail', { hasText: route.title }).locator('pre.fix').textContent()).toBe(route.fix!.join('\n'));
    const passing = results.filter((r) => r.status === 'pass').length;
    expect(await page.locator('li.check.pass:visible').count()).toBe(passing);
    await page.locator('#only-failing').check();
    expect(await page.locator('li.check.pass:visible').count()).toBe(0);
    expect(await page.locator('li.check.fail:visible').count()).toBe(results.filter((r) => r.status === 'fail').length);
    await page.locator('#only-failing').uncheck();
    await page.screenshot({ path: new URL('report-student.png', ARTIFACTS).pathname, fullPage: true });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it("a class's report: a grid row per student and a cell per check, no console error, no request; the filter keeps only failures", async () => {
    const students = [studentOf('alice', judgeRecorded(rec, 'good')), studentOf('bob', judgeRecorded(rec, 'web1-no-gateway')), studentOf('carol', judgeRecorded(rec, 'web2-apache2-stopped'))];
    const { page, errors, requests } = await open(write('class.html', classHtml({ lab: 'lvs-nat', roster: 'class.yaml', students, ms: 5000, svg, when: WHEN })));
    expect(await page.locator('tr[data-student]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-student')))).toEqual(['alice', 'bob', 'carol']);
    const checks = students[0]!.checks!.length;
    expect(await page.locator('th.col').count()).toBe(checks);
    expect(await page.locator('td.cell').count()).toBe(checks * students.length);
    for (const s of students) expect(await page.locator(`#s${students.indexOf(s)} li.check`).count()).toBe(s.checks!.length);
    // A failing cell leads to the failure in full.
    await page.locator('tr[data-student="bob"] td.cell.fail a').first().click();
    expect(await page.evaluate(() => location.hash)).toMatch(/^#s1-/);
    await page.locator('#only-failing').check();
    expect(await page.locator('tr[data-student]:visible').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-student')))).toEqual(['bob', 'carol']);
    const shown = await page.locator('th.col:visible').allTextContents();
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThan(checks);
    expect(shown).toContain('web1 route');
    await page.locator('#only-failing').uncheck();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: new URL('report-class.png', ARTIFACTS).pathname, fullPage: true });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it("`lab graph`'s SVG opened as a file: the lab's hosts and addresses drawn, no console error, no request", async () => {
    for (const name of ['lvs-nat', 'lvs-dr', 'lvs-tun', 'lvs-dr-keepalived']) {
      const { lab } = await loadLab(name);
      const { page, errors, requests } = await open(write(`${name}.svg`, await renderSvg(renderDot(labGraph(lab)))));
      const text = (await page.locator('svg').textContent()) ?? '';
      for (const [h, host] of Object.entries(lab.hosts)) {
        expect(text, `${name}: ${h}`).toContain(h);
        for (const address of Object.values(host.interfaces)) expect(text, `${name}: ${h}`).toContain(address);
      }
      const box = await page.locator('svg').boundingBox();
      expect(box!.width).toBeGreaterThan(100);
      await page.screenshot({ path: new URL(`graph-${name}.png`, ARTIFACTS).pathname });
      expect(errors, name).toEqual([]);
      expect(requests, name).toEqual([]);
      await page.close();
    }
  });
});
