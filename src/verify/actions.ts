// The active checks of a keepalived lab: failover (stop keepalived on the master, time the backup's takeover from the
// client's side, start it again) and health (stop a real server's web server, time its removal from the director's
// table, start it again). Each puts back what it changed before it returns, whatever happened.
import { t } from '../i18n/index.js';
import { quote } from '../ssh/quote.js';
import type { ActionIO } from './plan.js';
import { fail, pass, type Verdict } from './types.js';

/** One request of the client's sampler: when (ms, the client's clock), curl's exit code, the answer's first line. */
export interface Sample {
  t: number;
  rc: number;
  answer: string;
}

/**
 * The client's sampler: a fresh connection to `url` every ~0.1 s (plus curl's own time) for `ms`, each printed as
 * `MS RC FIRST-LINE`. bash's $EPOCHREALTIME gives the time without a `date` process.
 */
export function samplerScript(url: string, ms: number): string {
  const inner = [
    `end=$(( \${EPOCHREALTIME/./} / 1000 + ${Math.round(ms)} ))`,
    'while :; do',
    '  t=$(( ${EPOCHREALTIME/./} / 1000 )); [ "$t" -ge "$end" ] && break',
    `  r=$(curl -s --noproxy '*' -m 1 -H 'Connection: close' ${quote(url)} 2>/dev/null); rc=$?`,
    '  printf \'%s %s %s\\n\' "$t" "$rc" "${r%%$\'\\n\'*}"',
    '  sleep 0.1',
    'done',
  ].join('\n');
  return `bash -c ${quote(inner)}`;
}

export function parseSamples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+) (\d+) ?(.*)$/.exec(line.trim());
    if (m) out.push({ t: Number(m[1]), rc: Number(m[2]), answer: m[3]!.trim() });
  }
  return out;
}

/** The longest time without an answer: from the last answered request before a run of failures to the first after it. */
export interface Outage {
  /** ms; 0 when no request failed. */
  ms: number;
  failed: number;
  total: number;
  /** Whether the client was answered again after the last failure. */
  recovered: boolean;
  /** The median time between two requests (ms): the resolution of the measurement. */
  step: number;
}

export function outageOf(samples: Sample[]): Outage {
  const ok = (s: Sample) => s.rc === 0 && s.answer !== '';
  let worst = 0;
  let lastOk: number | undefined = samples[0]?.t;
  let inRun = false;
  for (const s of samples) {
    if (ok(s)) {
      if (inRun && lastOk !== undefined) worst = Math.max(worst, s.t - lastOk);
      inRun = false;
      lastOk = s.t;
    } else inRun = true;
  }
  if (inRun && lastOk !== undefined && samples.length > 0) worst = Math.max(worst, samples[samples.length - 1]!.t - lastOk);
  const gaps = samples.slice(1).map((s, i) => s.t - samples[i]!.t).sort((a, b) => a - b);
  return { ms: worst, failed: samples.filter((s) => !ok(s)).length, total: samples.length, recovered: samples.length > 0 && ok(samples[samples.length - 1]!), step: gaps[Math.floor(gaps.length / 2)] ?? 0 };
}

/**
 * Waits on a host until `test` (a shell condition) holds, polling every 50 ms for at most `ms`; prints `held MS` (ms
 * after the script started) or `timeout MS`.
 */
export function waitScript(test: string, ms: number): string {
  const inner = [
    's=$(( ${EPOCHREALTIME/./} / 1000 ))',
    'while :; do',
    '  n=$(( ${EPOCHREALTIME/./} / 1000 ))',
    `  if ${test}; then echo "held $((n - s))"; exit 0; fi`,
    `  [ $((n - s)) -ge ${Math.round(ms)} ] && { echo "timeout $((n - s))"; exit 0; }`,
    '  sleep 0.05',
    'done',
  ].join('\n');
  return `bash -c ${quote(inner)}`;
}

/** `held 812` → 812; `timeout 9000` → undefined. */
export function parseWait(text: string): number | undefined {
  const m = /^held (\d+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** The host holds `ip` on some interface. */
export const holdsIp = (ip: string) => `[ -n "$(ip -o -4 addr show to ${quote(`${ip}/32`)} 2>/dev/null)" ]`;
/** The host does not hold `ip`. */
export const lacksIp = (ip: string) => `[ -z "$(ip -o -4 addr show to ${quote(`${ip}/32`)} 2>/dev/null)" ]`;

/** The real server `addr:port` is (or is not) in the IPVS virtual service `vip:port` (ipvsadm -Ln -t). */
export function inTable(vip: string, port: number, real: string, present: boolean): string {
  const probe = `ipvsadm -Ln -t ${quote(`${vip}:${port}`)} 2>/dev/null`;
  // The stars stay outside the quotes: quoted, they would match only themselves.
  const pattern = `*${quote(`-> ${real} `)}*`;
  return present ? `case "$(${probe})" in ${pattern}) true;; *) false;; esac` : `case "$(${probe})" in ${pattern}) false;; *) true;; esac`;
}

/** A command started to run beside others: if a later step throws first, its failure is still handled (never unhandled). */
function beside<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function must(io: ActionIO, host: string, script: string, timeoutMs = 60_000): Promise<string> {
  const r = await io.exec(host, script, timeoutMs);
  if (r.code !== 0) throw new Error(t('actions.commandFailed', { host, script: script.length > 80 ? `${script.slice(0, 77)}...` : script, code: r.code, error: r.stderr.trim().split('\n').pop() ?? '' }));
  return r.stdout;
}

/** The last lines keepalived logged on a host since it started last, for a failure's explanation. */
async function journalTail(io: ActionIO, host: string, n = 4): Promise<string> {
  const r = await io.exec(host, `journalctl -u keepalived -o cat --no-pager -n ${n} 2>/dev/null`, 30_000).catch(() => undefined);
  return r?.stdout.trim().split('\n').filter(Boolean).join(' | ') ?? '';
}

export interface FailoverSpec {
  client: string;
  url: string;
  vip: string;
  master: string;
  backup: string;
  /** Seconds the client may go without an answer, and the backup may take to hold the VIP. */
  boundS: number;
  /** Seconds the returning master may take to hold the VIP again: a starting keepalived listens a master-down interval first. */
  takeBackS: number;
  preempt: boolean;
}

/**
 * Stop keepalived on the master while the client samples the VIP; the backup must hold the VIP and the client be
 * answered again within the bound. Then start it again: with preempt the master takes the VIP back (within the
 * bound), and the client is answered at the end. keepalived is started again on the master whatever happened.
 */
export async function runFailover(io: ActionIO, f: FailoverSpec): Promise<Verdict> {
  const bound = f.boundS * 1000;
  const expected = t(f.preempt ? 'actions.failover.expectedPreempt' : 'actions.failover.expected', { backup: f.backup, vip: f.vip, client: f.client, bound: f.boundS, master: f.master, takeBack: f.takeBackS });
  const takeBackMs = f.takeBackS * 1000;
  const sampleMs = 1500 + bound + 3000;
  const sampler = beside(io.exec(f.client, samplerScript(f.url, sampleMs), sampleMs + 30_000));
  let stopped = false;
  try {
    await sleep(1500);
    const takeover = beside(io.exec(f.backup, waitScript(holdsIp(f.vip), bound + 3000), bound + 33_000));
    // Set first: a stop that fails half way still gets its start (a no-op on a running service).
    stopped = true;
    await must(io, f.master, 'systemctl stop keepalived');
    const tookMs = parseWait((await takeover).stdout);
    const before = outageOf(parseSamples((await sampler).stdout));
    const sampler2 = beside(io.exec(f.client, samplerScript(f.url, takeBackMs + 3000), takeBackMs + 33_000));
    await must(io, f.master, 'systemctl start keepalived');
    stopped = false;
    // Timed from keepalived running (start returns at its ready notification): its own start takes seconds under
    // emulation and load, and is not VRRP's doing; from then it listens a master-down interval before it claims the VIP.
    const takeBack = f.preempt ? beside(io.exec(f.master, waitScript(holdsIp(f.vip), takeBackMs + 3000), takeBackMs + 33_000)) : undefined;
    const backMs = takeBack ? parseWait((await takeBack).stdout) : undefined;
    const after = outageOf(parseSamples((await sampler2).stdout));
    const measured =
      `${tookMs === undefined ? t('actions.failover.notTaken', { backup: f.backup, time: secs(bound + 3000) }) : t('actions.failover.taken', { backup: f.backup, time: secs(tookMs), master: f.master })}; ` +
      t('actions.failover.outage', { client: f.client, time: secs(before.ms), failed: before.failed, total: before.total, step: secs(before.step) }) +
      (f.preempt
        ? `; ${backMs === undefined ? t('actions.failover.notTakenBack', { master: f.master, time: secs(takeBackMs + 3000) }) : t('actions.failover.takenBack', { master: f.master, time: secs(backMs), failed: after.failed, total: after.total })}`
        : '');
    const s = (ms: number | undefined) => (ms === undefined ? -1 : Math.round(ms / 100) / 10);
    const figures = { takeover_s: s(tookMs), outage_s: s(before.ms), failed: before.failed, requests: before.total, ...(f.preempt ? { takeback_s: s(backMs) } : {}), bound_s: f.boundS };
    const verdict = (v: Verdict): Verdict => ({ ...v, measured: figures });
    if (tookMs === undefined || tookMs > bound) {
      const log = await journalTail(io, f.backup);
      return verdict(fail(expected, measured, t('actions.failover.noTakeover.why', { backup: f.backup, master: f.master, log: log || t('actions.noLog') }), ['systemctl status keepalived --no-pager', 'journalctl -u keepalived -n 20 --no-pager']));
    }
    if (!before.recovered || before.ms > bound)
      return verdict(fail(expected, measured, t(before.recovered ? 'actions.failover.notAnswered.inTime' : 'actions.failover.notAnswered.atAll', { backup: f.backup, client: f.client, master: f.master }), ['ipvsadm -Ln', `ip -o -4 addr show to ${f.vip}/32`]));
    if (f.preempt && (backMs === undefined || backMs > takeBackMs)) {
      const log = await journalTail(io, f.master);
      return verdict(fail(expected, measured, t('actions.failover.noTakeBack.why', { master: f.master, backup: f.backup, log: log || t('actions.noLog') }), ['journalctl -u keepalived -n 20 --no-pager']));
    }
    if (!after.recovered) return verdict(fail(expected, measured, t('actions.failover.failedAfter.why', { master: f.master, client: f.client }), ['ipvsadm -Ln']));
    return verdict(pass(expected, measured));
  } finally {
    if (stopped) await io.exec(f.master, 'systemctl start keepalived', 60_000).catch(() => undefined);
  }
}

export interface HealthSpec {
  client: string;
  url: string;
  vip: string;
  port: number;
  /** The director whose table is watched: the router that holds the VIP. */
  director: string;
  /** The real server stopped, its address in the table, and its web server's unit. */
  real: { host: string; address: string; port: number; unit: string };
  /** The other real servers' hosts, which must answer meanwhile. */
  others: string[];
  /** Seconds the checker may take to remove (or add back) a real server. */
  boundS: number;
  /** Requests sent while the real server is out (and after it is back). */
  requests: number;
}

/** `n` fresh connections to `url` in one client command, as `RC FIRST-LINE` lines. */
function batchScript(url: string, n: number): string {
  return `i=0; while [ "$i" -lt ${n} ]; do i=$((i+1)); r=$(curl -s --noproxy '*' -m 2 -H 'Connection: close' ${quote(url)} 2>/dev/null); rc=$?; printf '%s %s\\n' "$rc" "$(printf '%s' "$r" | head -n 1)"; done`;
}

function parseBatchLines(text: string): { rc: number; answer: string }[] {
  return text
    .split('\n')
    .map((l) => /^(\d+) ?(.*)$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ rc: Number(m[1]), answer: m[2]!.trim() }));
}

/**
 * Stop one real server's web server; keepalived's check on the director must take it out of the table within the
 * bound, and every client request meanwhile be answered by the others. Then start it: it must come back into the table
 * and answer again. The web server is started again whatever happened.
 */
export async function runHealth(io: ActionIO, h: HealthSpec, answerOf: (line: string) => string | undefined): Promise<Verdict> {
  const bound = h.boundS * 1000;
  const real = `${h.real.address}:${h.real.port}`;
  const expected = t('actions.health.expected', { host: h.real.host, director: h.director, bound: h.boundS, unit: h.real.unit, others: h.others.join(', ') });
  let stopped = false;
  try {
    const present = parseWait(await must(io, h.director, waitScript(inTable(h.vip, h.port, real, true), 100)));
    if (present === undefined) return fail(expected, t('actions.health.absent.found', { real, director: h.director, vip: h.vip, port: h.port }), t('actions.health.absent.why', { host: h.real.host }), ['ipvsadm -Ln']);
    // Each watcher starts before the command it times: the figure is an upper bound, the command's own time included.
    const gone = beside(must(io, h.director, waitScript(inTable(h.vip, h.port, real, false), bound + 3000), bound + 33_000));
    stopped = true;
    await must(io, h.real.host, `systemctl stop ${quote(h.real.unit)}`);
    const goneMs = parseWait(await gone);
    const during = parseBatchLines(await must(io, h.client, batchScript(h.url, h.requests), h.requests * 3000 + 30_000));
    const back = beside(must(io, h.director, waitScript(inTable(h.vip, h.port, real, true), bound + 3000), bound + 33_000));
    await must(io, h.real.host, `systemctl start ${quote(h.real.unit)}`);
    stopped = false;
    const backMs = parseWait(await back);
    const after = parseBatchLines(await must(io, h.client, batchScript(h.url, h.requests), h.requests * 3000 + 30_000));
    const answered = (rs: { rc: number; answer: string }[]) => rs.filter((r) => r.rc === 0 && answerOf(r.answer) !== undefined);
    const by = (rs: { rc: number; answer: string }[]) => [...new Set(answered(rs).map((r) => answerOf(r.answer)!))].join(', ') || t('actions.health.noServer');
    const measured =
      `${goneMs === undefined ? t('actions.health.stillIn', { real, director: h.director, time: secs(bound + 3000), unit: h.real.unit, host: h.real.host }) : t('actions.health.left', { host: h.real.host, director: h.director, time: secs(goneMs), unit: h.real.unit })}; ` +
      `${t('actions.health.during', { answered: answered(during).length, total: during.length, by: by(during) })}; ` +
      (backMs === undefined
        ? t('actions.health.notBack', { time: secs(bound + 3000), unit: h.real.unit, answered: answered(after).length, total: after.length, by: by(after) })
        : t('actions.health.back', { time: secs(backMs), answered: answered(after).length, total: after.length, by: by(after) }));
    const sec1 = (ms: number | undefined) => (ms === undefined ? -1 : Math.round(ms / 100) / 10);
    const figures = { removed_s: sec1(goneMs), answered: answered(during).length, requests: during.length, readded_s: sec1(backMs), bound_s: h.boundS };
    const verdict = (v: Verdict): Verdict => ({ ...v, measured: figures });
    if (goneMs === undefined || goneMs > bound)
      return verdict(fail(expected, measured, t('actions.health.keptIn.why', { director: h.director, host: h.real.host }), [`grep -n -A8 'real_server ${h.real.address}' /etc/keepalived/keepalived.conf`, 'journalctl -u keepalived -n 20 --no-pager']));
    if (answered(during).length < during.length)
      return verdict(fail(expected, measured, t('actions.health.othersFailed.why', { host: h.real.host, failed: during.length - answered(during).length, others: h.others.join(', ') }), ['ipvsadm -Ln']));
    if (backMs === undefined || backMs > bound)
      return verdict(fail(expected, measured, t('actions.health.notReadded.why', { host: h.real.host, director: h.director }), ['journalctl -u keepalived -n 20 --no-pager']));
    if (!answered(after).some((r) => answerOf(r.answer) === h.real.host))
      return verdict(fail(expected, measured, t('actions.health.silent.why', { host: h.real.host, total: after.length }), ['ipvsadm -Ln --stats']));
    return verdict(pass(expected, measured));
  } finally {
    if (stopped) await io.exec(h.real.host, `systemctl start ${quote(h.real.unit)}`, 60_000).catch(() => undefined);
  }
}
