// `lab graph LAB`: the lab's topology from its spec, as SVG (default, to a file), DOT, Mermaid or a terminal drawing.
import { writeFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { labGraph } from '../graph/model.js';
import { renderDot, renderMermaid, renderText } from '../graph/render.js';
import { renderSvg } from '../graph/svg.js';
import { envelope } from '../report/envelope.js';
import { loadLab } from '../spec/load.js';

export const GRAPH_FORMATS = ['svg', 'dot', 'mermaid', 'text', 'json'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

export interface GraphCliOptions {
  format?: string;
  output?: string;
}

export async function graphCommand(labArg: string, o: GraphCliOptions): Promise<number> {
  const format = (o.format ?? 'svg') as GraphFormat;
  if (!GRAPH_FORMATS.includes(format)) throw new UsageError(`--format ${o.format} is not one of ${GRAPH_FORMATS.join(', ')}`);
  const started = Date.now();
  const { lab } = await loadLab(labArg);
  const g = labGraph(lab);
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
  return 0;
}
