// `lab trace LAB`: one request from the client, captured for real with tcpdump on every host it can cross (started
// before the request, stopped by PID after it, bounded in time and count), printed as the course note's numbered
// walk. One SSH connection per host; three commands on it (start, the client's request, stop).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunError, UsageError } from '../errors.js';
import { t } from '../i18n/index.js';
import { resolveInventory, type TargetOptions } from '../inventory/file.js';
import { detectOs } from '../os/families.js';
import { loadPlaybook } from '../playbook/load.js';
import { styler, useColor } from '../report/style.js';
import { connectHost, targetFor } from '../run/connect.js';
import type { Remote } from '../ssh/connection.js';
import { quote } from '../ssh/quote.js';
import { loadLab } from '../spec/load.js';
import type { Lab } from '../spec/schema.js';
import { directorsOf } from '../spec/services.js';
import { parseStart, startScript, stopScript, type StartedCapture } from '../trace/capture.js';
import { formatWalk } from '../trace/render.js';
import { requestsOf, shownWalk, traceJson, traceOk, walksFromOutputs } from '../trace/outputs.js';
import { clientIp, serviceUrl, serviceViews, type ServiceView } from '../verify/plan.js';

export interface TraceCliOptions extends TargetOptions {
  json?: boolean;
  acceptNew?: boolean;
  /** The service to trace, VIP or VIP:PORT (default: the lab's first TCP service). */
  vip?: string;
  /** The host that sends the request (default: the balancing check's, else the client). */
  from?: string;
  /** Refuse to install tcpdump where it is missing. */
  install?: boolean;
}

/** Capture bounds: tcpdump ends by itself after this many seconds or packets, whatever happens to lab. */
const CAPTURE_SECONDS = 40;
const CAPTURE_PACKETS = 400;
/**
 * How many source ports each request may pick from (curl --local-port), so a port still in TIME_WAIT does not fail it.
 * Each request has a range of its own: curl takes the first free port of a range, and a port the previous request
 * closed is free again at once (the server closes first), so a shared range would give two requests one port.
 */
const PORT_SPAN = 5;

function pickService(lab: Lab, vip: string | undefined): ServiceView {
  const views = serviceViews(lab).filter((v) => v.svc.protocol === 'tcp');
  if (views.length === 0) throw new UsageError(t('usage.traceNoTcp', { lab: lab.name }));
  if (!vip) return views[0]!;
  const [ip, port] = vip.split(':');
  const v = views.find((x) => x.svc.vip === ip && (port === undefined || String(x.svc.port) === port));
  if (!v) throw new UsageError(t('usage.traceNoVip', { vip, lab: lab.name, services: views.map((x) => `${x.svc.vip}:${x.svc.port}`).join(', ') }));
  return v;
}

function pickClient(lab: Lab, view: ServiceView, from: string | undefined): string {
  if (from) {
    if (!lab.hosts[from]) throw new UsageError(t('usage.traceNoHost', { host: from, lab: lab.name, hosts: Object.keys(lab.hosts).join(', ') }));
    return from;
  }
  const fromCheck = lab.verify.flatMap((c) => ('from' in c && c.from ? [c.from] : []))[0];
  if (fromCheck) return fromCheck;
  const cast = new Set([...directorsOf(lab, view.svc), ...view.reals.map((r) => r.host)]);
  const client = Object.keys(lab.hosts).find((h) => !cast.has(h));
  if (!client) throw new UsageError(t('usage.traceNoClient', { lab: lab.name }));
  return client;
}

/**
 * The client's requests: one per real server at most (a scheduler that takes them in turn sends each to another),
 * each a new connection from a port of the range, stopping at the first that fails; each prints its page, then the
 * HTTP code and source port, then curl's exit code.
 */
export function requestScript(url: string, lowPort: number, count: number): string {
  const n = Math.max(1, Math.round(count));
  const curl = `curl -s --noproxy '*' -m 5 --local-port "$lo-$((lo + ${PORT_SPAN - 1}))" -H 'Connection: close' -o - -w '\\n@@lab-trace %{http_code} %{local_port}\\n' ${quote(url)}`;
  return `i=0; while [ "$i" -lt ${n} ]; do lo=$((${lowPort} + i * ${PORT_SPAN})); i=$((i + 1)); ${curl}; rc=$?; echo "@@lab-trace rc $rc"; [ "$rc" -eq 0 ] || break; done`;
}

/** The ports every request may use: the capture's filter. */
export function portRange(lowPort: number, count: number): [number, number] {
  return [lowPort, lowPort + Math.max(1, Math.round(count)) * PORT_SPAN - 1];
}

/**
 * LAB_TRACE_RECORD=DIR keeps what each host printed (HOST.start.txt, HOST.stop.txt, the client's request.txt) and the
 * run's facts (meta.json): the unit tests replay recorded real captures through the same parsers and walk.
 */
function recorder(): ((file: string, text: string) => void) | undefined {
  const dir = process.env.LAB_TRACE_RECORD;
  if (!dir) return undefined;
  mkdirSync(dir, { recursive: true });
  return (file, text) => writeFileSync(join(dir, file), text);
}

/** Start the capture; where tcpdump is missing, install it first with the host's package manager (unless refused). */
async function startCapture(host: string, conn: Remote, script: string, install: boolean, say: (line: string) => void, record?: (file: string, text: string) => void): Promise<StartedCapture> {
  let r = await conn.exec(script, { timeoutMs: 30_000 });
  let started = parseStart(r.stdout);
  if ('problem' in started && started.problem === 'tcpdump is not installed') {
    const osRelease = await conn.exec('cat /etc/os-release', { timeoutMs: 30_000, root: false });
    const os = detectOs(osRelease.stdout);
    const cmd = os ? os.install([os.packages.tcpdump ?? 'tcpdump']) : undefined;
    if (!install || !cmd) throw new RunError(`tcpdump is not installed; install it (${cmd ?? 'with the package manager'}) or run lab trace without --no-install`, host);
    say(`${host}: installing tcpdump for the capture: ${cmd}`);
    const inst = await conn.exec(cmd, { timeoutMs: 600_000 });
    if (inst.code !== 0) throw new RunError(`could not install tcpdump (exit ${inst.code}): ${inst.stderr.trim().split('\n').at(-1) ?? ''}`, host);
    r = await conn.exec(script, { timeoutMs: 30_000 });
    started = parseStart(r.stdout);
  }
  if ('problem' in started) throw new RunError(`${started.problem}${r.stderr.trim() ? ` (${r.stderr.trim().split('\n').at(-1)})` : ''}`, host);
  record?.(`${host}.start.txt`, r.stdout);
  return started;
}

export async function traceCommand(labArg: string, o: TraceCliOptions): Promise<number> {
  const began = Date.now();
  const loaded = await loadLab(labArg);
  const { lab } = loaded;
  const view = pickService(lab, o.vip);
  const client = pickClient(lab, view, o.from);
  const playbook = await loadPlaybook(loaded);
  const inventory = await resolveInventory(loaded, o);
  const hosts = [...new Set([client, ...directorsOf(lab, view.svc), ...view.reals.map((r) => r.host)])];
  const cip = clientIp(lab, client, view.svc);
  const url = serviceUrl(view.svc);
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const record = recorder();

  const reached = await Promise.all(hosts.map(async (h) => [h, await connectHost(targetFor(inventory, h), { acceptNew: o.acceptNew })] as const));
  const conns = new Map<string, Remote>();
  for (const [h, r] of reached) if (r.ok) conns.set(h, r.conn);
  const started = new Map<string, StartedCapture>();
  try {
    const down = reached.find(([, r]) => !r.ok);
    if (down) throw new RunError(`unreachable: ${(down[1] as { error: string }).error}`, down[0]);
    const low = 40_000 + Math.floor(Math.random() * 20_000);
    const [lo, hi] = portRange(low, view.reals.length);
    // Not port 22: lab's own SSH session may come from a port in the range (the host's ephemeral ports overlap it).
    const filter = `(tcp portrange ${lo}-${hi} and not tcp port 22) or ip proto 4`;
    const isReal = new Set(view.reals.map((r) => r.host));
    const results = await Promise.allSettled(
      hosts.map(async (h) => {
        const cap = await startCapture(h, conns.get(h)!, startScript(filter, CAPTURE_SECONDS, CAPTURE_PACKETS, isReal.has(h) ? cip : undefined), o.install !== false, say, record);
        started.set(h, cap);
      }),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const req = await conns.get(client)!.exec(requestScript(url, low, view.reals.length), { timeoutMs: 60_000, root: false });
    record?.('request.txt', req.stdout);
    // The last packets of the exchange (FIN, the final ACK) are on the wire a moment after curl returns.
    await new Promise((r) => setTimeout(r, 500));
    const stopped = await Promise.all([...started].map(async ([h, cap]) => [h, (await conns.get(h)!.exec(stopScript(cap.dir), { timeoutMs: 30_000 })).stdout] as const));
    const starts = new Map(started);
    started.clear();
    for (const [h, text] of stopped) record?.(`${h}.stop.txt`, text);
    const all = walksFromOutputs(lab, playbook, view, client, { starts, stops: new Map(stopped), request: req.stdout, low });
    const shown = shownWalk(all);
    if (!shown) throw new RunError(`the request did not run: ${req.stderr.trim().split('\n').at(-1) ?? `exit ${req.code}`}`, client);
    record?.('meta.json', `${JSON.stringify({ lab: lab.name, vip: `${view.svc.vip}:${view.svc.port}`, client, low, hosts }, null, 2)}\n`);
    const ok = traceOk(all);
    if (o.json) process.stdout.write(`${JSON.stringify(traceJson(lab.name, Date.now() - began, { url, client, captured: hosts }, all, shown), null, 2)}\n`);
    else process.stdout.write(formatWalk({ lab: lab.name, url, client, clientPort: shown.clientPort, captured: hosts, requests: requestsOf(all), shown: all.indexOf(shown) }, shown.walk, styler(useColor())));
    return ok ? 0 : 1;
  } finally {
    // Whatever happened: every capture that started is stopped and removed (tcpdump's own bounds end it otherwise).
    await Promise.allSettled([...started].map(([h, cap]) => conns.get(h)!.exec(stopScript(cap.dir), { timeoutMs: 30_000 })));
    for (const c of conns.values()) c.close();
  }
}
