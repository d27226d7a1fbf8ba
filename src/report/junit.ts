// JUnit XML for lab verify: one testcase per check and host; a failure's text carries expected, found, why and fix.
import type { CheckResult } from '../verify/types.js';

/** Escape text for XML content and attributes, dropping characters XML 1.0 cannot hold. */
export function xmlEscape(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/g, '')
    .replace(/[\uD800-\uDFFF]/g, (c, i: number, str: string) => {
      const code = c.charCodeAt(0);
      const next = str.charCodeAt(i + 1);
      const prev = str.charCodeAt(i - 1);
      const paired = code < 0xdc00 ? next >= 0xdc00 && next <= 0xdfff : prev >= 0xd800 && prev < 0xdc00;
      return paired ? c : '';
    })
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function explanation(r: CheckResult): string {
  const lines = [`expected: ${r.expected}`, `found:    ${r.found}`];
  if (r.why) lines.push(`why:      ${r.why}`);
  if (r.fix && r.fix.length > 0) lines.push('fix:', ...r.fix.map((c) => `  ${c}`));
  return lines.join('\n');
}

export interface JunitMeta {
  lab: string;
  /** Seconds the whole run took. */
  seconds: number;
  timestamp?: Date;
}

export function junitXml(results: CheckResult[], meta: JunitMeta): string {
  const failures = results.filter((r) => r.status === 'fail').length;
  // A check that could not run (its host unreachable) is a JUnit error, not a failure.
  const errors = results.filter((r) => r.status === 'unreachable').length;
  const skipped = results.filter((r) => r.status === 'skip').length;
  const time = meta.seconds.toFixed(3);
  const a = (k: string, v: string | number) => ` ${k}="${xmlEscape(String(v))}"`;
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const counts = a('tests', results.length) + a('failures', failures) + a('errors', errors) + a('skipped', skipped) + a('time', time);
  out.push(`<testsuites${a('name', `lab verify ${meta.lab}`)}${counts}>`);
  out.push(`  <testsuite${a('name', meta.lab)}${counts}${a('timestamp', (meta.timestamp ?? new Date()).toISOString().replace(/\.\d+Z$/, ''))}>`);
  for (const r of results) {
    const head = `    <testcase${a('classname', `${meta.lab}.${r.host}`)}${a('name', `${r.check}: ${r.id}: ${r.title}`)}${a('time', '0')}`;
    if (r.status === 'pass') out.push(`${head}/>`);
    else if (r.status === 'skip') out.push(`${head}>`, `      <skipped${a('message', r.found)}/>`, '    </testcase>');
    else if (r.status === 'unreachable') out.push(`${head}>`, `      <error${a('message', r.found)}${a('type', 'unreachable')}/>`, '    </testcase>');
    else out.push(`${head}>`, `      <failure${a('message', r.why ?? r.found)}${a('type', r.check)}>${xmlEscape(explanation(r))}</failure>`, '    </testcase>');
  }
  out.push('  </testsuite>', '</testsuites>', '');
  return out.join('\n');
}
