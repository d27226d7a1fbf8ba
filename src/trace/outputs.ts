// From what the hosts printed to the walk: the capture starts (interfaces, routes), the stops (tcpdump's packets) and
// the client's request. The command and the tests over recorded real captures share it.
import type { Playbook } from '../playbook/schema.js';
import { envelope } from '../report/envelope.js';
import type { Lab } from '../spec/schema.js';
import { clientIp, planVerify, type ServiceView } from '../verify/plan.js';
import { parseStop, type StartedCapture } from './capture.js';
import { buildWalk, type HostCapture, type Walk } from './walk.js';

/** One of the client's requests: the page's first line, the HTTP code, the source port curl used, curl's exit code. */
export interface Answer {
  page: string;
  httpCode: number;
  localPort: number;
  curlExit: number;
}

/** What the client's requests printed (see requestScript): each request's page, then its marker lines. */
export function parseRequests(stdout: string): Answer[] {
  const out: Answer[] = [];
  let rest = stdout;
  for (;;) {
    const rc = /^@@lab-trace rc (\d+)$/m.exec(rest);
    if (!rc) break;
    const chunk = rest.slice(0, rc.index);
    rest = rest.slice(rc.index + rc[0].length);
    const m = /@@lab-trace (\d+) (\d+)\s*$/m.exec(chunk);
    const body = m ? chunk.slice(0, m.index) : chunk;
    out.push({ page: body.split('\n').find((l) => l.trim() !== '')?.trim() ?? '', httpCode: Number(m?.[1] ?? 0), localPort: Number(m?.[2] ?? 0), curlExit: Number(rc[1]) });
  }
  return out;
}

export interface TraceOutputs {
  /** Host → its started capture (parseStart of what the start command printed). */
  starts: Map<string, StartedCapture>;
  /** Host → what the stop command printed. */
  stops: Map<string, string>;
  /** What the client's requests printed. */
  request: string;
  /** The low end of the client's port range (its port when curl could not say). */
  low: number;
}

export interface Traced {
  answer: Answer;
  clientPort: number;
  walk: Walk;
}

/**
 * A walk per request the client sent, in order. curl reports the source port of each; a request that never got an
 * answer may not, and then takes the next SYN the client sent that no earlier request claimed.
 */
export function walksFromOutputs(lab: Lab, playbook: Playbook, view: ServiceView, client: string, out: TraceOutputs): Traced[] {
  const answers = parseRequests(out.request);
  const captures = new Map<string, HostCapture>();
  for (const [h, text] of out.stops) {
    const cap = out.starts.get(h);
    captures.set(h, { packets: parseStop(text).packets, interfaces: cap?.interfaces ?? {}, ...(cap?.route ? { route: cap.route } : {}) });
  }
  const synPorts = [...new Set((captures.get(client)?.packets ?? []).filter((p) => p.flags === 'S' && p.dir === 'out' && p.dst.ip === view.svc.vip).map((p) => p.src.port))];
  const checks = planVerify(lab, playbook).checks.map((c) => ({ check: c.check, id: c.id, host: c.host, title: c.title }));
  const used = new Set<number>();
  return answers.map((answer) => {
    const clientPort = answer.localPort || synPorts.find((p) => !used.has(p) && !answers.some((a) => a.localPort === p)) || out.low;
    used.add(clientPort);
    const walk = buildWalk({ lab, view, client, clientIp: clientIp(lab, client, view.svc), clientPort, captures, checks });
    return { answer, clientPort, walk };
  });
}

/** The walk to show: the first that did not complete (what a student must see), else the first. */
export function shownWalk(all: Traced[]): Traced | undefined {
  return all.find((t) => !t.walk.complete || t.answer.curlExit !== 0) ?? all[0];
}

/** The requests as `--json` and the terminal list them. */
export function requestsOf(all: Traced[]) {
  return all.map((t) => ({ ...t.answer, clientPort: t.clientPort, complete: t.walk.complete, ...(t.walk.realServer ? { realServer: t.walk.realServer } : {}), ...(t.walk.stop ? { stopAfter: t.walk.stop.after } : {}) }));
}

/** Whether the trace passed: every request answered, every walk complete. */
export function traceOk(all: Traced[]): boolean {
  return all.length > 0 && all.every((t) => t.walk.complete && t.answer.curlExit === 0 && t.answer.httpCode >= 200 && t.answer.httpCode < 400);
}

/** `lab trace --json`: the envelope, the requests, and the walk shown. */
export function traceJson(lab: string, ms: number, head: { url: string; client: string; captured: string[] }, all: Traced[], shown: Traced) {
  return envelope('trace', lab, traceOk(all), ms, { url: head.url, client: head.client, clientPort: shown.clientPort, captured: head.captured, requests: requestsOf(all), walk: shown.walk });
}
