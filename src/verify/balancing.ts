// The balancing judge: from the answers of N fresh connections (and, for the least-connection schedulers, of the
// connections held open before them), decide whether the scheduler behaves as the spec says from one client.
import { renderOp } from '../ipvs/render.js';
import { answerToken, classify, curlReason, normalizePage, sequenceText, type Answer, type RequestRecord, type ServerPage } from './requests.js';
import { fail, pass, type Verdict } from './types.js';

export interface BalancingSpec {
  vip: string;
  port: number;
  protocol?: 'tcp' | 'udp';
  scheduler: string;
  persistence?: number;
  servers: ServerPage[];
  /** The director's host name, to point at its checks. */
  director: string;
  /** The service's forwarding mode, for the words of why replies go missing (default nat). */
  forwarding?: 'nat' | 'dr' | 'tun';
  /** keepalived loads this service's table (a VRRP group's VIP): the scheduler is its config's lb_algo, not an ipvsadm edit. */
  keepalived?: boolean;
}

/**
 * What the scheduler should produce for one client:
 * - alternate: rr, and wrr with equal weights: every window of k consecutive answers holds each of the k servers once;
 * - counts: wrr with unequal weights: exact shares over each multiple of the total weight;
 * - one-server: sh, dh, mh, lblc, lblcr, persistence, or a single active server: every answer from one active server;
 * - failover: fo: every answer from the (one) available server with the highest weight;
 * - least: lc, wlc, sed, nq, ovf: connections held open load the servers, and each new connection must go to a server
 *   the scheduler's formula allows given those active connections.
 */
export type Expectation = 'alternate' | 'counts' | 'one-server' | 'failover' | 'least';

const PINNING = ['sh', 'dh', 'mh', 'lblc', 'lblcr'];
const LEAST = ['lc', 'wlc', 'sed', 'nq', 'ovf'];
/** At most this many connections are held open by the probe. */
export const MAX_HOLD = 8;
/**
 * The least-connection overhead is active × 256 + inactive (ip_vs_dest_conn_overhead). Closed connections stay inactive
 * for IPVS's TIME_WAIT (2 min) and the probe cannot see them, so the judge allows any inactive count below 256 on each
 * server: a server may be picked when some such counts make it the least loaded.
 */
const INACTIVE_MAX = 255;

const activeOf = (spec: BalancingSpec) => spec.servers.filter((s) => s.weight > 0);

export function expectationFor(spec: BalancingSpec): Expectation {
  const active = activeOf(spec);
  if (spec.persistence !== undefined || PINNING.includes(spec.scheduler) || active.length <= 1) return 'one-server';
  if (spec.scheduler === 'rr') return 'alternate';
  if (spec.scheduler === 'wrr') return active.every((s) => s.weight === active[0]!.weight) ? 'alternate' : 'counts';
  if (spec.scheduler === 'fo') return 'failover';
  if (LEAST.includes(spec.scheduler)) return 'least';
  throw new Error(`no balancing expectation for scheduler ${spec.scheduler}`);
}

/**
 * How many connections the probe holds open before the fresh ones: for lc, wlc, sed and nq one fewer than the active
 * servers (so one server is left the least loaded); for ovf one more than the highest weight (so it overflows); at most
 * MAX_HOLD. 0 for the other schedulers.
 */
export function holdCount(spec: BalancingSpec): number {
  if (expectationFor(spec) !== 'least') return 0;
  const active = activeOf(spec);
  const want = spec.scheduler === 'ovf' ? Math.max(...active.map((s) => s.weight)) + 1 : active.length - 1;
  return Math.min(MAX_HOLD, Math.max(1, want));
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

function names(hosts: string[]): string {
  return hosts.length <= 1 ? (hosts[0] ?? '') : `${hosts.slice(0, -1).join(', ')} and ${hosts[hosts.length - 1]}`;
}

function countText(counts: Map<string, number>, servers: ServerPage[]): string {
  return servers.map((s) => `${s.host} ${counts.get(s.host) ?? 0}`).join(', ');
}

function tally(answers: Answer[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const a of answers) if (a.kind === 'server') m.set(a.host, (m.get(a.host) ?? 0) + 1);
  return m;
}

const hostOf = (a: Answer | undefined): string | undefined => (a?.kind === 'server' ? a.host : undefined);

/** What each pinning scheduler hashes or keeps, in a phrase. */
const PIN: Record<string, string> = {
  sh: 'it hashes the client address to one real server',
  mh: 'its Maglev hash of the client address picks one real server',
  dh: 'it hashes the destination address, the VIP, to one real server',
  lblc: 'it keeps each destination address, the VIP, on one real server until that server is overloaded',
  lblcr: 'it keeps each destination address, the VIP, on a set of real servers that grows only under load',
};

function pinWhy(spec: BalancingSpec): string {
  return spec.persistence !== undefined ? `persistence (-p ${spec.persistence})` : `the ${spec.scheduler} scheduler (${PIN[spec.scheduler] ?? 'it pins'})`;
}

/** The formula each least-connection scheduler minimises, as the kernel computes it (a = active, i = inactive, w = weight). */
const FORMULA: Record<string, string> = {
  lc: 'the fewest connections (a×256 + i, weights ignored)',
  wlc: 'the fewest connections for its weight ((a×256 + i) / w)',
  sed: 'the shortest expected delay ((a + 1) / w)',
  nq: 'an idle one (no active connection) if any, else the shortest expected delay ((a + 1) / w)',
  ovf: 'the highest weight among those whose active connections do not exceed their weight',
};

function highest(servers: ServerPage[]): ServerPage[] {
  const top = Math.max(...servers.map((s) => s.weight));
  return servers.filter((s) => s.weight === top);
}

/**
 * The servers the scheduler may pick for a new connection, given the active connections the probe holds on each
 * (`a`). Ties, and for lc/wlc the unknown inactive counts (each below 256), allow every server that could win.
 */
export function allowedServers(scheduler: string, active: ServerPage[], a: Map<string, number>): ServerPage[] {
  const n = (s: ServerPage) => a.get(s.host) ?? 0;
  // X may win over every Y when X's overhead/weight can be ≤ Y's: cost(X, lowest) × wY ≤ cost(Y, highest) × wX.
  const canWin = (lo: (s: ServerPage) => number, hi: (s: ServerPage) => number, w: (s: ServerPage) => number) =>
    active.filter((x) => active.every((y) => y === x || lo(x) * w(y) <= hi(y) * w(x)));
  switch (scheduler) {
    case 'lc':
      return canWin((s) => n(s) * 256, (s) => n(s) * 256 + INACTIVE_MAX, () => 1);
    case 'wlc':
      return canWin((s) => n(s) * 256, (s) => n(s) * 256 + INACTIVE_MAX, (s) => s.weight);
    case 'sed':
      return canWin((s) => n(s) + 1, (s) => n(s) + 1, (s) => s.weight);
    case 'nq': {
      const idle = active.filter((s) => n(s) === 0);
      return idle.length > 0 ? idle : canWin((s) => n(s) + 1, (s) => n(s) + 1, (s) => s.weight);
    }
    case 'ovf': {
      const open = active.filter((s) => n(s) <= s.weight);
      return open.length > 0 ? highest(open) : [];
    }
    default:
      return active;
  }
}

function loadText(active: ServerPage[], a: Map<string, number>, withWeights: boolean): string {
  return active.map((s) => `${s.host} ${a.get(s.host) ?? 0}${withWeights ? `/w${s.weight}` : ''}`).join(', ');
}

export function expectedText(spec: BalancingSpec, n: number, held = holdCount(spec)): string {
  const active = activeOf(spec);
  switch (expectationFor(spec)) {
    case 'one-server':
      return active.length <= 1
        ? `all ${n} requests answered by ${active[0]?.host ?? 'the only real server'}`
        : `all ${n} requests answered by one real server with weight > 0 (${pinWhy(spec)})`;
    case 'alternate':
      return active.length === 2
        ? `all ${n} requests answered, every real server (${names(active.map((s) => s.host))}) answers, never the same one twice in a row`
        : `all ${n} requests answered, the real servers (${names(active.map((s) => s.host))}) in turn: each of them once in every ${active.length} consecutive answers`;
    case 'counts': {
      const total = active.reduce((t, s) => t + s.weight, 0);
      const k = Math.floor(n / total);
      if (k === 0) return `all ${n} requests answered by the real servers (${n} requests are fewer than the total weight ${total}: shares not judged)`;
      return `all ${n} requests answered; over the first ${k * total} (${k} × total weight ${total}): ${active.map((s) => `${s.host} ${k * s.weight}`).join(', ')}`;
    }
    case 'failover': {
      const top = highest(active);
      return `all ${n} requests answered by ${top.length === 1 ? top[0]!.host : `one of ${names(top.map((s) => s.host))}`} (fo: the available real server with the highest weight, ${top[0]!.weight})`;
    }
    case 'least':
      return (
        `${held} connection${held === 1 ? '' : 's'} held open, then ${n} fresh requests: each new connection goes to a real server with ` +
        `${FORMULA[spec.scheduler]}, counting the held ones as active (${spec.scheduler})`
      );
  }
}

function setScheduler(spec: BalancingSpec): string[] {
  // keepalived would put its own lb_algo back at its next reload: the fix is in its config, on every director.
  if (spec.keepalived) return [`sed -i 's/^\\( *lb_algo \\).*/\\1${spec.scheduler}/' /etc/keepalived/keepalived.conf && keepalived -t && systemctl reload keepalived   # on every director (${spec.director} holds the VIP)`];
  const cmd = renderOp({
    op: 'edit-service',
    service: { protocol: spec.protocol ?? 'tcp', vip: spec.vip, port: spec.port, scheduler: spec.scheduler, ...(spec.persistence !== undefined ? { persistence: spec.persistence } : {}), reals: [] },
    from: { protocol: spec.protocol ?? 'tcp', vip: spec.vip, port: spec.port, scheduler: spec.scheduler, reals: [] },
  }).join(' ');
  return [`${cmd}   # on ${spec.director}`];
}

/** A failed scheduling: why, with the fix that sets the spec's scheduler on the director. */
function misScheduled(spec: BalancingSpec, expected: string, found: string, why: string): Verdict {
  return { ...fail(expected, found, why, setScheduler(spec)), lookAt: [spec.director] };
}

function failedRequestsWhy(spec: BalancingSpec, answers: Answer[], missing: string[]): { why: string; lookAt: string[] } {
  const nat = (spec.forwarding ?? 'nat') === 'nat';
  const errors = answers.filter((a): a is Extract<Answer, { kind: 'error' }> => a.kind === 'error');
  const others = answers.filter((a): a is Extract<Answer, { kind: 'other' }> => a.kind === 'other');
  const answered = answers.some((a) => a.kind === 'server');
  const refused = errors.filter((e) => e.exit === 7 || e.exit === 56).length;
  const timedOut = errors.filter((e) => e.exit === 28).length;
  const parts: string[] = [];
  const lookAt = new Set<string>();
  const reals = spec.servers.map((s) => s.host);
  const target = `${spec.vip}:${spec.port}`;
  if (!answered && errors.length > 0) {
    [spec.director, ...reals].forEach((h) => lookAt.add(h));
    if (refused === errors.length)
      parts.push(`Nothing at ${target} accepted the connections: the director ${spec.director} has no IPVS service for it (or does not hold the VIP), or every real server refuses.`);
    else
      parts.push(
        nat
          ? `No answer came back at all: either ${spec.director} does not take the requests (VIP, IPVS table) or the replies never return through it (ip_forward on ${spec.director}, the real servers' default route).`
          : `No answer came back at all: either ${spec.director} does not take the requests (VIP, IPVS table) or the real servers drop them (the forwarding method, the VIP on the real servers, their firewall).`,
      );
  } else if (missing.length > 0 && errors.length > 0) {
    const who = names(missing);
    if (timedOut >= refused)
      parts.push(
        `IPVS does not check health: it keeps sending ${who} a share of the connections, but no answer comes back from ${missing.length > 1 ? 'them' : 'it'}. ` +
          (nat
            ? `The replies do not return through ${spec.director} (default route), or the requests are dropped on the way (firewall, or -g instead of -m).`
            : `The requests are dropped on the way (firewall, the forwarding method) or ${who} does not accept packets addressed to ${spec.vip}.`),
      );
    else
      parts.push(
        `IPVS does not check health: it keeps sending ${who} a share of the connections, and ${who} refuses them: its web server is not running or listens on another port, or its firewall rejects port ${spec.port}.`,
      );
    [...missing, spec.director].forEach((h) => lookAt.add(h));
  } else if (errors.length > 0) {
    parts.push(`Some requests failed (${[...new Set(errors.map((e) => curlReason(e.exit)))].join(', ')}) although every real server answered at times: a server or the director is flapping, or still starting (try --wait 30s).`);
  }
  if (others.length > 0) {
    parts.push(
      `${others.length} answer(s) were not the page lab up wrote on any real server (first line "${others[0]!.firstLine}"), so they cannot be told apart: a server serves another page.`,
    );
    reals.forEach((h) => lookAt.add(h));
  }
  return { why: parts.join(' '), lookAt: [...lookAt] };
}

/** The first window of k consecutive answers in which one server answers twice: its host and both positions (0-based). */
function firstRepeat(answers: Answer[], k: number): { host: string; first: number; second: number } | undefined {
  for (let j = 1; j < answers.length; j++) {
    const h = hostOf(answers[j]);
    for (let i = Math.max(0, j - k + 1); i < j; i++) if (h !== undefined && hostOf(answers[i]) === h) return { host: h, first: i, second: j };
  }
  return undefined;
}

/** What the probe saw of the held connections and the fresh ones after them. */
export interface HeldRecords {
  held: RequestRecord[];
  fresh: RequestRecord[];
}

function judgeLeast(spec: BalancingSpec, obs: HeldRecords, expected: string, foundBase: string): Verdict {
  const active = activeOf(spec);
  const weighted = spec.scheduler !== 'lc';
  const a = new Map<string, number>();
  const held = obs.held.map((r) => classify(r, spec.servers));
  const fresh = obs.fresh.map((r) => classify(r, spec.servers));
  const heldText = held.map(answerToken).join(' ');
  const found = `held: ${heldText}; ${foundBase}`;
  const steps: { answer: Answer; label: string; holds: boolean }[] = [
    ...held.map((answer, i) => ({ answer, label: `held connection ${i + 1}`, holds: true })),
    ...fresh.map((answer, i) => ({ answer, label: `fresh request ${i + 1}`, holds: false })),
  ];
  for (const step of steps) {
    const host = hostOf(step.answer)!;
    const allowed = allowedServers(spec.scheduler, active, a);
    if (!allowed.some((s) => s.host === host)) {
      const load = loadText(active, a, weighted);
      const want = allowed.length === 0 ? 'none (every server is over its weight: the connection should fail)' : names(allowed.map((s) => s.host));
      return misScheduled(
        spec,
        expected,
        `${found}; ${step.label} went to ${host} while the held connections were ${load}`,
        `${spec.scheduler} sends each new connection to the real server with ${FORMULA[spec.scheduler]}. With the held connections ${load} (active${weighted ? '/weight' : ''}), ` +
          `${step.label} should have gone to ${want}, not ${host}: ${spec.director} schedules otherwise (another scheduler or other weights), or other clients hold connections to ${spec.vip} too (ipvsadm -Ln shows ActiveConn).`,
      );
    }
    if (step.holds) a.set(host, (a.get(host) ?? 0) + 1);
  }
  return pass(expected, `${found}; the held connections were ${loadText(active, a, weighted)}`);
}

/**
 * Judge the answers of the fresh connections (`records`) and, for the least-connection schedulers, of the connections
 * held open before them (`held`: what the hold probe saw, its `fresh` replacing `records`).
 */
export function judgeBalancing(spec: BalancingSpec, records: RequestRecord[], held?: HeldRecords): Verdict {
  const verdict = judgeAnswers(spec, records, held);
  const fresh = expectationFor(spec) === 'least' ? (held?.fresh ?? []) : records;
  if (fresh.length === 0) return verdict;
  const answers = fresh.map((r) => classify(r, spec.servers));
  const counts = tally(answers);
  const others = answers.filter((a) => a.kind !== 'server').length;
  const distribution = [...spec.servers.map((s) => ({ host: s.host, count: counts.get(s.host) ?? 0 })), ...(others > 0 ? [{ host: null, count: others }] : [])];
  return { ...verdict, distribution };
}

function judgeAnswers(spec: BalancingSpec, records: RequestRecord[], held?: HeldRecords): Verdict {
  const kind = expectationFor(spec);
  const fresh = kind === 'least' ? (held?.fresh ?? []) : records;
  const n = fresh.length;
  const expected = expectedText(spec, n, held?.held.length);
  const pages = new Map<string, string[]>();
  for (const s of spec.servers) pages.set(normalizePage(s.page), [...(pages.get(normalizePage(s.page)) ?? []), s.host]);
  const twins = [...pages.values()].find((h) => h.length > 1);
  if (twins)
    return fail(
      expected,
      `${names(twins)} serve the same page`,
      `Answers are told apart by the page each real server serves; ${names(twins)} serve identical pages, so the balancing cannot be judged.`,
    );
  const heldAnswers = kind === 'least' ? (held?.held ?? []).map((r) => classify(r, spec.servers)) : [];
  const answers = fresh.map((r) => classify(r, spec.servers));
  const all = [...heldAnswers, ...answers];
  const active = activeOf(spec);
  const counts = tally(answers);
  const missing = active.filter((s) => !tally(all).has(s.host)).map((s) => s.host);
  const bad = all.filter((a) => a.kind !== 'server');
  const reasons = [...new Set(bad.map((a) => answerToken(a).replace(/[()]/g, '')))].join(', ');
  const found =
    `${n} requests: ${sequenceText(answers)} (${countText(counts, spec.servers)}` +
    `${bad.length > 0 ? `, failed ${bad.length}: ${reasons}` : ''})${missing.length > 0 && all.some((a) => a.kind === 'server') ? `; ${names(missing)} never answered` : ''}`;
  if (kind === 'least' && (held === undefined || n === 0))
    return fail(expected, 'the probe that holds connections open printed nothing', `lab holds connections to ${spec.vip}:${spec.port} open from the client with bash's /dev/tcp under timeout(1); bash or timeout is missing there, or the probe was killed.`);
  if (bad.length > 0) {
    const heldBad = heldAnswers.filter((a) => a.kind !== 'server');
    const extra =
      heldBad.length > 0 && answers.every((a) => a.kind === 'server')
        ? ` The held connections (opened first, with no request until the fresh ones were answered) got no page back: the web servers closed them early (their request timeout) or the probe ran out of time. Try again; a loaded machine makes the probe slow.`
        : '';
    const { why, lookAt } = failedRequestsWhy(spec, all, missing);
    return { ...fail(expected, kind === 'least' ? `held: ${heldAnswers.map(answerToken).join(' ')}; ${found}` : found, `${why}${extra}`.trim()), lookAt };
  }

  const quiesced = spec.servers.filter((s) => s.weight === 0 && tally(all).has(s.host)).map((s) => s.host);
  if (quiesced.length > 0)
    return misScheduled(spec, expected, found, `${names(quiesced)} has weight 0 in the spec and must get no new connections, yet answered: its weight on ${spec.director} is not 0.`);

  switch (kind) {
    case 'one-server':
      if (counts.size === 1 && (active.length !== 1 || counts.has(active[0]!.host))) return pass(expected, found);
      return misScheduled(
        spec,
        expected,
        found,
        active.length <= 1
          ? `Only ${active[0]?.host ?? 'one server'} takes new connections in the spec, yet others answered: the table on ${spec.director} differs.`
          : `Under ${pinWhy(spec)}, every connection from one client goes to the same real server; answers from ${names([...counts.keys()])} mean ${spec.director} does not schedule that way (another scheduler${spec.persistence !== undefined ? ', or no -p' : ''}).`,
      );
    case 'alternate': {
      if (missing.length > 0)
        return misScheduled(spec, expected, found, `${spec.scheduler} sends each new connection to the next real server, so every one answers within ${active.length} requests; ${names(missing)} never did, so it is missing from the table on ${spec.director} or has weight 0 there.`);
      const r = firstRepeat(answers, active.length);
      if (r)
        return misScheduled(
          spec,
          expected,
          found,
          `${spec.scheduler}${spec.scheduler === 'wrr' ? ' with equal weights' : ''} sends each new connection to the next real server, so ${r.host} answering requests ${r.first + 1} and ${r.second + 1}` +
            `${r.second === r.first + 1 ? ' in a row' : `, fewer than ${active.length} apart,`} means ${spec.director} schedules otherwise (another scheduler, unequal weights, or persistence).`,
        );
      return pass(expected, found);
    }
    case 'counts': {
      const total = active.reduce((t, s) => t + s.weight, 0);
      const k = Math.floor(n / total);
      if (k === 0) return pass(expected, found);
      const window = tally(answers.slice(0, k * total));
      const off = active.filter((s) => (window.get(s.host) ?? 0) !== k * s.weight);
      if (off.length === 0) return pass(expected, `${found}; over the first ${k * total}: ${countText(window, active)}`);
      const g = active.reduce((x, s) => gcd(x, s.weight), 0);
      return misScheduled(
        spec,
        expected,
        `${found}; over the first ${k * total}: ${countText(window, active)}`,
        `wrr gives each real server its weight's share of every ${total} connections (${active.map((s) => s.weight / g).join(':')}), in runs rather than strictly interleaved, so any ${k * total} consecutive answers hold exact shares. ` +
          `These do not: the weights or the scheduler on ${spec.director} differ from the spec.`,
      );
    }
    case 'failover': {
      const top = highest(active);
      if (counts.size === 1 && top.some((s) => counts.has(s.host))) return pass(expected, found);
      const wrong = [...counts.keys()].filter((h) => !top.some((s) => s.host === h));
      return misScheduled(
        spec,
        expected,
        found,
        `fo sends every new connection to the available real server with the highest weight (${names(top.map((s) => `${s.host} ${s.weight}`))}), and to another only when that one is quiesced or overloaded; ` +
          `${wrong.length > 0 ? `answers from ${names(wrong)}` : `answers from ${names([...counts.keys()])}`} mean ${spec.director} schedules otherwise (another scheduler or other weights).`,
      );
    }
    case 'least':
      return judgeLeast(spec, held!, expected, found);
  }
}
