// `lab trace` on the terminal: the numbered walk, each step's where, addresses and what changed, then how it ended.
import type { styler } from '../report/style.js';
import type { Walk } from './walk.js';

type Style = ReturnType<typeof styler>;

export interface TraceRequest {
  curlExit: number;
  httpCode: number;
  page: string;
  clientPort: number;
  complete: boolean;
  realServer?: string;
  stopAfter?: number;
}

export interface TraceHead {
  lab: string;
  url: string;
  client: string;
  clientPort: number;
  captured: string[];
  /** Every request the client sent, in order; `shown` is the one walked below. */
  requests: TraceRequest[];
  shown: number;
}

function requestLine(r: TraceRequest, i: number): string {
  const to = r.realServer ? ` went to ${r.realServer}` : '';
  const got = r.curlExit === 0 ? `got HTTP ${r.httpCode}${r.page ? ` "${r.page}"` : ''}` : `failed (curl exit ${r.curlExit})`;
  return `request ${i + 1} (port ${r.clientPort})${to} and ${got}`;
}

export function formatWalk(head: TraceHead, walk: Walk, s: Style): string {
  const out: string[] = [];
  const n = head.requests.length;
  out.push(`${s.bold(`lab trace ${head.lab}`)}: ${n === 1 ? 'one request' : `${n} requests, one new connection each,`} from ${head.client} to ${head.url} (${walk.mode.toUpperCase()} mode), captured with tcpdump on ${head.captured.join(', ')}`);
  if (n > 1) {
    for (const [i, r] of head.requests.entries()) out.push(s.dim(`  ${requestLine(r, i)}${i === head.shown ? ': walked below' : ''}`));
  }
  out.push('');
  const hostW = Math.max(4, ...walk.steps.map((st) => st.host.length));
  const whereW = Math.max(4, ...walk.steps.map((st) => `${st.dir} ${st.iface}`.length));
  const addrW = Math.max(8, ...walk.steps.map((st) => `${st.src} → ${st.dst}`.length));
  for (const st of walk.steps) {
    const n = String(st.n).padStart(2);
    const addr = `${st.src} → ${st.dst}`.padEnd(addrW);
    out.push(`${s.bold(n)}  ${st.host.padEnd(hostW)}  ${s.dim(`${st.dir} ${st.iface}`.padEnd(whereW))}  ${addr}  ${s.cyan(st.packet)}${st.outer ? s.dim(`  in IP-in-IP ${st.outer}`) : ''}`);
    const pad = ' '.repeat(4 + hostW + 2);
    out.push(`${pad}${st.text}`);
    if (st.changed) out.push(`${pad}${s.yellow(`changed: ${st.changed.join('; ')}`)}`);
  }
  for (const note of walk.notes) out.push('', s.dim(note));
  out.push('');
  const answer = head.requests[head.shown];
  if (walk.complete && answer) {
    const page = answer.page ? `; the page: "${answer.page}"` : '';
    out.push(s.green(`the reply reached ${head.client} from the VIP: HTTP ${answer.httpCode}${page}${walk.realServer ? ` (served by ${walk.realServer})` : ''}`));
  } else if (walk.stop) {
    out.push(s.red(`the walk stops ${walk.stop.after === 0 ? 'before its first step' : `after step ${walk.stop.after}`}: ${walk.stop.why}`));
    const c = walk.stop.check;
    out.push(c ? `the check that explains it: "${c.title}" on ${c.host} (${c.check} ${c.id}); its why and fix: ${s.cyan(walk.stop.command)}` : `its why and fix: ${s.cyan(walk.stop.command)}`);
  }
  return `${out.join('\n')}\n`;
}
