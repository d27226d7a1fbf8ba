// `lab graph LAB`: the lab's topology from its spec, as SVG (default, to a file), DOT, Mermaid or a terminal drawing.
import { writeFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { t } from '../i18n/index.js';
import { RunError } from '../errors.js';
import { resolveInventory, type TargetOptions } from '../inventory/file.js';
import { labGraph, withInterfaces } from '../graph/model.js';
import { connectHost, targetFor } from '../run/connect.js';
import { parseInterfaces } from '../trace/capture.js';
import { renderDot, renderMermaid, renderText } from '../graph/render.js';
import { renderSvg } from '../graph/svg.js';
import { envelope } from '../report/envelope.js';
import { loadLab } from '../spec/load.js';

export const GRAPH_FORMATS = ['svg', 'dot', 'mermaid', 'text', 'json'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

export interface GraphCliOptions extends TargetOptions {
  format?: string;
  output?: string;
  /** Ask each host which interface holds each of its lab addresses. */
  live?: boolean;
  acceptNew?: boolean;
}

/**
 * host → address → interface, from one `ip -o -4 addr` per host, in parallel. Hosts that cannot be reached are
 * left out, each with a line saying why.
 */
async function liveInterfaces(hosts: string[], targets: (h: string) => Parameters<typeof connectHost>[0], acceptNew: boolean | undefined): Promise<{ found: Map<string, Map<string, string>>; problems: string[] }> {
  const found = new Map<string, Map<string, string>>();
  const problems: string[] = [];
  await Promise.all(
    hosts.map(async (h) => {
      const r = await connectHost(targets(h), { acceptNew });
      if (!r.ok) return void problems.push(`${h}: unreachable (${r.error}): its links are drawn from the spec alone`);
      try {
        const out = await r.conn.exec('ip -o -4 addr', { timeoutMs: 30_000, root: false });
        const byAddr = new Map<string, string>();
        for (const [name, i] of Object.entries(parseInterfaces('', out.stdout))) for (const a of i.addrs) byAddr.set(a, name);
        found.set(h, byAddr);
      } catch (e) {
        problems.push(`${h}: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        r.conn.close();
      }
    }),
  );
  return { found, problems };
}

export async function graphCommand(labArg: string, o: GraphCliOptions): Promise<number> {
  const format = (o.format ?? 'svg') as GraphFormat;
  if (!GRAPH_FORMATS.includes(format)) throw new UsageError(t('usage.graphFormat', { format: String(o.format), formats: GRAPH_FORMATS.join(', ') }));
  const started = Date.now();
  const loaded = await loadLab(labArg);
  const { lab } = loaded;
  let g = labGraph(lab);
  let problems: string[] = [];
  if (o.live) {
    const inventory = await resolveInventory(loaded, o);
    const live = await liveInterfaces(Object.keys(lab.hosts), (h) => targetFor(inventory, h), o.acceptNew);
    g = withInterfaces(g, live.found);
    problems = live.problems;
  }
  let text: string;
  if (format === 'text') text = renderText(g);
  else if (format === 'dot') text = renderDot(g);
  else if (format === 'mermaid') text = renderMermaid(g);
  else if (format === 'json') text = `${JSON.stringify(envelope('graph', lab.name, true, Date.now() - started, { graph: g }), null, 2)}\n`;
  else text = await renderSvg(renderDot(g));
  // SVG goes to a file (LAB.svg unless -o); the others to stdout unless -o. `-o -` is stdout for every format.
  const file = o.output ?? (format === 'svg' ? `${lab.name}.svg` : '-');
  if (file === '-') process.stdout.write(text);
  else {
    writeFileSync(file, text);
    const n = g.networks.length;
    process.stdout.write(`wrote ${file} (${format}, ${g.hosts.length} hosts on ${n} network${n === 1 ? '' : 's'})\n`);
  }
  for (const p of problems) process.stderr.write(`${p}\n`);
  // Every address of the spec on an interface: a host that holds none of them is a finding, as verify would say.
  const missing = g.hosts.flatMap((h) => h.links.filter((l) => l.iface === null).map((l) => `${h.name}: no interface holds ${l.address} (its ${l.network} address in the spec); lab up puts it there, lab verify says why`));
  for (const m of missing) process.stderr.write(`${m}\n`);
  if (problems.length > 0) throw new RunError(`could not ask ${problems.length} host${problems.length === 1 ? '' : 's'} for interface names; the drawing has the others'`);
  return 0;
}
