// `lab trace LAB`: one request from the client, captured for real with tcpdump on every host it can cross (started
// before the request, stopped by PID after it, bounded in time and count), printed as the course note's numbered
// walk. One SSH connection per host; three commands on it (start, the client's request, stop).
import { RunError, UsageError } from '../errors.js';
import { resolveInventory, type TargetOptions } from '../inventory/file.js';
import { detectOs } from '../os/families.js';
import { loadPlaybook } from '../playbook/load.js';
import { envelope } from '../report/envelope.js';
import { styler, useColor } from '../report/style.js';
import { connectHost, targetFor } from '../run/connect.js';
import type { Remote } from '../ssh/connection.js';
import { quote } from '../ssh/quote.js';
import { loadLab } from '../spec/load.js';
import type { Lab } from '../spec/schema.js';
import { directorsOf } from '../spec/services.js';
import { parseStart, parseStop, startScript, stopScript, type StartedCapture } from '../trace/capture.js';
import { formatWalk } from '../trace/render.js';
import { buildWalk, type HostCapture } from '../trace/walk.js';
import { clientIp, planVerify, serviceUrl, serviceViews, type ServiceView } from '../verify/plan.js';

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
/** How many source ports the client may pick from (curl --local-port), so a port in TIME_WAIT does not fail it. */
const PORT_SPAN = 10;

function pickService(lab: Lab, vip: string | undefined): ServiceView {
  const views = serviceViews(lab).filter((v) => v.svc.protocol === 'tcp');
  if (views.length === 0) throw new UsageError(`${lab.name} has no TCP service to trace`);
  if (!vip) return views[0]!;
  const [ip, port] = vip.split(':');
  const v = views.find((x) => x.svc.vip === ip && (port === undefined || String(x.svc.port) === port));
  if (!v) throw new UsageError(`--vip ${vip}: ${lab.name} has no TCP service there; it has ${views.map((x) => `${x.svc.vip}:${x.svc.port}`).join(', ')}`);
  return v;
}

function pickClient(lab: Lab, view: ServiceView, from: string | undefined): string {
  if (from) {
    if (!lab.hosts[from]) throw new UsageError(`--from ${from}: ${lab.name} has no host ${from}; it has ${Object.keys(lab.hosts).join(', ')}`);
    return from;
  }
  const fromCheck = lab.verify.flatMap((c) => ('from' in c && c.from ? [c.from] : []))[0];
  if (fromCheck) return fromCheck;
  const cast = new Set([...directorsOf(lab, view.svc), ...view.reals.map((r) => r.host)]);
  const client = Object.keys(lab.hosts).find((h) => !cast.has(h));
  if (!client) throw new UsageError(`${lab.name}: every host is a director or a real server; say which one sends the request with --from HOST`);
  return client;
}

/** The client's request: the page's first line, the HTTP code, the source port curl used, and curl's exit code. */
export function requestScript(url: string, lowPort: number): string {
  const range = `${lowPort}-${lowPort + PORT_SPAN - 1}`;
  return `curl -s --noproxy '*' -m 5 --local-port ${range} -H 'Connection: close' -o - -w '\\n@@lab-trace %{http_code} %{local_port}\\n' ${quote(url)}; echo "@@lab-trace rc $?"`;
}

export function parseRequest(stdout: string): { page: string; httpCode: number; localPort: number; curlExit: number } {
  const m = /@@lab-trace (\d+) (\d+)\s*$/m.exec(stdout);
  const rc = /@@lab-trace rc (\d+)/.exec(stdout);
  const body = m ? stdout.slice(0, m.index) : '';
  return { page: body.split('\n').find((l) => l.trim() !== '')?.trim() ?? '', httpCode: Number(m?.[1] ?? 0), localPort: Number(m?.[2] ?? 0), curlExit: Number(rc?.[1] ?? 255) };
}

/** Start the capture; where tcpdump is missing, install it first with the host's package manager (unless refused). */
async function startCapture(host: string, conn: Remote, script: string, install: boolean, say: (line: string) => void): Promise<StartedCapture> {
  let r = await conn.exec(script, { timeoutMs: 30_000 });
  let started = parseStart(r.stdout);
  if ('problem' in started && started.problem === 'tcpdump is not installed') {
    const osRelease = await conn.exec('cat /etc/os-release', { timeoutMs: 30_000, root: false });
    const os = detectOs(osRelease.stdout);
    const cmd = os ? os.install([os.packages.tcpdump ?? 'tcpdump']) : undefined;
    if (!install || !cmd) throw new RunError(`tcpdump is not installed; install it (${cmd ?? 'with the package manager'}) or run lab trace without --no-install`, host);
    say(`${host}: tcpdump is not installed; installing it: ${cmd}`);
    const inst = await conn.exec(cmd, { timeoutMs: 600_000 });
    if (inst.code !== 0) throw new RunError(`could not install tcpdump (exit ${inst.code}): ${inst.stderr.trim().split('\n').at(-1) ?? ''}`, host);
    r = await conn.exec(script, { timeoutMs: 30_000 });
    started = parseStart(r.stdout);
  }
  if ('problem' in started) throw new RunError(`${started.problem}${r.stderr.trim() ? ` (${r.stderr.trim().split('\n').at(-1)})` : ''}`, host);
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

  const reached = await Promise.all(hosts.map(async (h) => [h, await connectHost(targetFor(inventory, h), { acceptNew: o.acceptNew })] as const));
  const conns = new Map<string, Remote>();
  for (const [h, r] of reached) if (r.ok) conns.set(h, r.conn);
  const started = new Map<string, StartedCapture>();
  try {
    const down = reached.find(([, r]) => !r.ok);
    if (down) throw new RunError(`unreachable: ${(down[1] as { error: string }).error}`, down[0]);
    const low = 40_000 + Math.floor(Math.random() * 20_000);
    const filter = `tcp portrange ${low}-${low + PORT_SPAN - 1} or ip proto 4`;
    const isReal = new Set(view.reals.map((r) => r.host));
    const results = await Promise.allSettled(
      hosts.map(async (h) => {
        const cap = await startCapture(h, conns.get(h)!, startScript(filter, CAPTURE_SECONDS, CAPTURE_PACKETS, isReal.has(h) ? cip : undefined), o.install !== false, say);
        started.set(h, cap);
      }),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const req = await conns.get(client)!.exec(requestScript(url, low), { timeoutMs: 30_000, root: false });
    const answer = parseRequest(req.stdout);
    // The last packets of the exchange (FIN, the final ACK) are on the wire a moment after curl returns.
    await new Promise((r) => setTimeout(r, 500));
    const captures = new Map<string, HostCapture>();
    const stops = await Promise.all([...started].map(async ([h, cap]) => [h, cap, await conns.get(h)!.exec(stopScript(cap.dir), { timeoutMs: 30_000 })] as const));
    started.clear();
    for (const [h, cap, r] of stops) {
      const { packets } = parseStop(r.stdout);
      captures.set(h, { packets, interfaces: cap.interfaces, ...(cap.route ? { route: cap.route } : {}) });
    }
    const clientSyn = captures.get(client)?.packets.find((p) => p.flags === 'S' && p.dir === 'out' && p.dst.ip === view.svc.vip);
    const clientPort = answer.localPort || clientSyn?.src.port || low;
    const checks = planVerify(lab, playbook).checks.map((c) => ({ check: c.check, id: c.id, host: c.host, title: c.title }));
    const walk = buildWalk({ lab, view, client, clientIp: cip, clientPort, captures, checks });
    const ok = walk.complete && answer.httpCode >= 200 && answer.httpCode < 400;
    const body = { url, client, clientPort, captured: hosts, answer: { curlExit: answer.curlExit, httpCode: answer.httpCode, page: answer.page } };
    if (o.json) process.stdout.write(`${JSON.stringify(envelope('trace', lab.name, ok, Date.now() - began, { ...body, walk }), null, 2)}\n`);
    else process.stdout.write(formatWalk({ lab: lab.name, ...body }, walk, styler(useColor())));
    return ok ? 0 : 1;
  } finally {
    // Whatever happened: every capture that started is stopped and removed (tcpdump's own bounds end it otherwise).
    await Promise.allSettled([...started].map(([h, cap]) => conns.get(h)!.exec(stopScript(cap.dir), { timeoutMs: 30_000 })));
    for (const c of conns.values()) c.close();
  }
}
