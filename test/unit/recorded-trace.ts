// `lab trace` replayed from what the hosts printed in a real run (test/fixtures/trace/LAB/STATE, recorded with
// scripts/record-trace-states.sh): the same parsers and walk as the command, over real captures.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadPlaybook } from '../../src/playbook/load.js';
import { loadLab } from '../../src/spec/load.js';
import { parseStart, type StartedCapture } from '../../src/trace/capture.js';
import { walksFromOutputs, type Traced } from '../../src/trace/outputs.js';
import { serviceViews } from '../../src/verify/plan.js';

export const TRACE_FIXTURES = fileURLToPath(new URL('../fixtures/trace/', import.meta.url));

interface Meta {
  lab: string;
  vip: string;
  client: string;
  low: number;
  hosts: string[];
}

export async function replayTrace(lab: string, state: string): Promise<{ traced: Traced[]; meta: Meta; printed: string }> {
  const r = await recordedTrace(lab, state);
  return { traced: r.walks(), meta: r.meta, printed: r.printed };
}

/**
 * The recording loaded, its walks not yet built: `walks()` builds them at once (no await), so the language set around
 * the call (withLang) is the one their sentences are in.
 */
export async function recordedTrace(lab: string, state: string): Promise<{ walks: () => Traced[]; meta: Meta; printed: string }> {
  const dir = `${TRACE_FIXTURES}${lab}/${state}/`;
  const read = (f: string) => readFileSync(`${dir}${f}`, 'utf8');
  const meta = JSON.parse(read('meta.json')) as Meta;
  const loaded = await loadLab(meta.lab);
  const playbook = await loadPlaybook(loaded);
  const view = serviceViews(loaded.lab).find((v) => `${v.svc.vip}:${v.svc.port}` === meta.vip);
  if (!view) throw new Error(`${dir}: ${meta.lab} has no service ${meta.vip}`);
  const starts = new Map<string, StartedCapture>();
  const stops = new Map<string, string>();
  for (const h of meta.hosts) {
    const s = parseStart(read(`${h}.start.txt`));
    if ('problem' in s) throw new Error(`${dir}${h}.start.txt: ${s.problem}`);
    starts.set(h, s);
    stops.set(h, read(`${h}.stop.txt`));
  }
  const request = read('request.txt');
  const walks = () => walksFromOutputs(loaded.lab, playbook, view, meta.client, { starts, stops, request, low: meta.low });
  return { walks, meta, printed: existsSync(`${dir}trace.out`) ? read('trace.out') : '' };
}
