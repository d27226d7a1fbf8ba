// `lab verify`: load and validate everything, run the checks over SSH, print and write the reports, exit 0 only when all pass.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../errors.js';
import { t } from '../i18n/index.js';
import { pickHosts } from '../inventory/check.js';
import { resolveInventory } from '../inventory/file.js';
import { loadPlaybook } from '../playbook/load.js';
import { labGraph } from '../graph/model.js';
import { renderDot } from '../graph/render.js';
import { renderSvg } from '../graph/svg.js';
import { verifyHtml } from '../report/html.js';
import { junitXml } from '../report/junit.js';
import { columnsOf, styler, useColor } from '../report/style.js';
import { formatResults, verifyJson } from '../report/verify.js';
import { loadLab } from '../spec/load.js';
import { saveVerifyRecord } from '../report/verify-record.js';
import { parseDuration } from '../verify/duration.js';
import { runVerify } from '../verify/runner.js';

export interface VerifyCliOptions {
  /** --provider vm|vagrant: where the hosts are (detected when not given). */
  provider?: string;
  inventory?: string;
  instance?: string;
  acceptNew?: boolean;
  /** A duration: 30s, 2m, 1m30s. */
  wait?: string;
  /** Skip the checks that change the lab (failover, health). */
  readOnly?: boolean;
  /** Repeatable: junit:FILE, json:FILE or html:FILE. */
  report?: string[];
  json?: boolean;
  /** --hosts a,b: contact only these hosts and run only their checks. */
  hosts?: string;
}

export interface ReportTarget {
  kind: 'junit' | 'json' | 'html';
  file: string;
}

export function parseReports(specs: string[] = []): ReportTarget[] {
  return specs.map((spec) => {
    const m = /^(junit|json|html):(.+)$/.exec(spec);
    if (!m) throw new UsageError(t('usage.reportKind', { spec }));
    return { kind: m[1] as ReportTarget['kind'], file: m[2]! };
  });
}

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

export async function verifyCommand(labArg: string, o: VerifyCliOptions = {}): Promise<number> {
  // Everything the user wrote is checked before any host is contacted.
  const reports = parseReports(o.report);
  const waitMs = o.wait ? parseDuration(o.wait) : 0;
  const loaded = await loadLab(labArg);
  if (loaded.lab.verify.length === 0) throw new UsageError(t('usage.noVerifyChecks', { file: loaded.file }));
  const playbook = await loadPlaybook(loaded);
  const hosts = pickHosts(loaded.lab, o.hosts);
  const inventory = await resolveInventory(loaded, o);
  const s = styler(useColor() && !o.json);
  const run = await runVerify(loaded.lab, playbook, inventory, {
    acceptNew: o.acceptNew,
    waitMs,
    hosts,
    readOnly: !!o.readOnly,
    onAttempt:
      waitMs > 0 && !o.json
        ? (n, results) => {
            const failed = results.filter((r) => r.status === 'fail').length;
            if (failed > 0) process.stderr.write(s.dim(`attempt ${n}: ${failed} check(s) failing\n`));
          }
        : undefined,
  });
  const json = verifyJson(loaded.lab.name, run.results, run.ms, run.attempts, run.timing);
  saveVerifyRecord(loaded.lab.name, inventory, run.results, hosts);
  for (const r of reports) {
    if (r.kind === 'junit') write(r.file, junitXml(run.results, { lab: loaded.lab.name, seconds: run.ms / 1000 }));
    else if (r.kind === 'html') {
      const svg = await renderSvg(renderDot(labGraph(loaded.lab)));
      const target = o.inventory ?? `instance ${o.instance ?? loaded.lab.name}`;
      write(r.file, verifyHtml({ lab: loaded.lab.name, target, results: run.results, ms: run.ms, attempts: run.attempts, svg, when: new Date() }));
    } else write(r.file, `${JSON.stringify(json, null, 2)}\n`);
  }
  if (o.json) process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else process.stdout.write(formatResults(run.results, s, { ms: run.ms, attempts: run.attempts, width: columnsOf(process.stdout) }));
  return json.ok ? 0 : 1;
}
