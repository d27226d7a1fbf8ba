// `lab trace` on the terminal: the numbered walk, each step's where, addresses and what changed, then how it ended.
import { t } from '../i18n/index.js';
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
  const to = r.realServer ? t('trace.print.wentTo', { server: r.realServer }) : '';
  const got = r.curlExit !== 0 ? t('trace.print.failed', { exit: r.curlExit }) : r.page ? t('trace.print.gotPage', { code: r.httpCode, page: r.page }) : t('trace.print.got', { code: r.httpCode });
  return t('trace.print.request', { n: i + 1, port: r.clientPort, to, got });
}

export function formatWalk(head: TraceHead, walk: Walk, s: Style): string {
  const out: string[] = [];
  const n = head.requests.length;
  const requests = t('trace.print.requests', { count: n });
  const each = n === 1 ? '' : t('trace.print.eachNew');
  out.push(t('trace.print.head', { title: s.bold(`lab trace ${head.lab}`), requests, each, client: head.client, url: head.url, mode: walk.mode.toUpperCase(), hosts: head.captured.join(t('trace.print.hostsSep')) }));
  if (n > 1) {
    for (const [i, r] of head.requests.entries()) out.push(s.dim(`  ${requestLine(r, i)}${i === head.shown ? t('trace.print.walkedBelow') : ''}`));
  }
  out.push('');
  const hostW = Math.max(4, ...walk.steps.map((st) => st.host.length));
  const whereW = Math.max(4, ...walk.steps.map((st) => `${st.dir} ${st.iface}`.length));
  const addrW = Math.max(8, ...walk.steps.map((st) => `${st.src} → ${st.dst}`.length));
  for (const st of walk.steps) {
    const n = String(st.n).padStart(2);
    const addr = `${st.src} → ${st.dst}`.padEnd(addrW);
    out.push(`${s.bold(n)}  ${st.host.padEnd(hostW)}  ${s.dim(`${st.dir} ${st.iface}`.padEnd(whereW))}  ${addr}  ${s.cyan(st.packet)}${st.outer ? s.dim(`  ${t('trace.print.inIpIp', { outer: st.outer })}`) : ''}`);
    const pad = ' '.repeat(4 + hostW + 2);
    out.push(`${pad}${st.text}`);
    if (st.changed) out.push(`${pad}${s.yellow(t('trace.print.changed', { changes: st.changed.join(t('trace.print.changesSep')) }))}`);
  }
  for (const note of walk.notes) out.push('', s.dim(note));
  out.push('');
  const answer = head.requests[head.shown];
  if (walk.complete && answer) {
    const page = answer.page ? t('trace.print.page', { page: answer.page }) : '';
    const server = walk.realServer ? t('trace.print.servedBy', { server: walk.realServer }) : '';
    out.push(s.green(t('trace.print.reached', { client: head.client, code: answer.httpCode, page, server })));
  } else if (walk.stop) {
    const { after, why } = walk.stop;
    out.push(s.red(after === 0 ? t('trace.print.stopsBefore', { why }) : t('trace.print.stopsAfter', { step: after, why })));
    const c = walk.stop.check;
    const command = s.cyan(walk.stop.command);
    out.push(c ? t('trace.print.check', { title: c.title, host: c.host, check: c.check, id: c.id, command }) : t('trace.print.fix', { command }));
  }
  return `${out.join('\n')}\n`;
}
