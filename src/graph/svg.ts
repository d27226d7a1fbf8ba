// SVG from the DOT drawing, laid out by Graphviz itself: @viz-js/viz is Graphviz compiled to WebAssembly, so the layout
// is the real `dot` engine's (ranks, edge routing, label placement) with nothing to install and no process to start.
import { RunError } from '../errors.js';

export async function renderSvg(dot: string): Promise<string> {
  const { instance } = await import('@viz-js/viz');
  const viz = await instance();
  const r = viz.render(dot, { format: 'svg', engine: 'dot' });
  if (r.status !== 'success') {
    const why = r.errors.map((e) => e.message.trim()).join('; ');
    throw new RunError(`Graphviz could not lay out the drawing: ${why || 'no reason given'}`);
  }
  return r.output;
}
