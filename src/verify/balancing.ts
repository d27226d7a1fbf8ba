// The balancing judge: from the answers of N fresh connections (and, for the least-connection schedulers, of the
// connections held open before them), decide whether the scheduler behaves as the spec says from one client.
import { t } from '../i18n/index.js';
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
  return hosts.length <= 1 ? (hosts[0] ?? '') : t('balancing.list.last', { rest: hosts.slice(0, -1).join(t('balancing.list.sep')), last: hosts[hosts.length - 1]! });
}

/** The schedulers the catalog names (Chinese adds the course's term to the ipvsadm name). */
const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'sed', 'nq', 'ovf', 'fo', 'sh', 'dh', 'mh', 'lblc', 'lblcr'];

/** A scheduler in prose: its ipvsadm name, with the course's term in Chinese. */
function schedulerName(scheduler: string): string {
  return SCHEDULERS.includes(scheduler) ? t(`balancing.scheduler.${scheduler}`) : scheduler;
}

/** Two sentences, one after the other. */
function sentences(first: string, second: string): string {
  return t('balancing.sentences', { first, second });
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

/** What each pinning scheduler hashes or keeps, in a phrase (catalog `balancing.pin`). */
function pinWhy(spec: BalancingSpec): string {
  if (spec.persistence !== undefined) return t('balancing.pinPersistence', { seconds: spec.persistence });
  const how = t(PINNING.includes(spec.scheduler) ? `balancing.pin.${spec.scheduler}` : 'balancing.pin.other');
  return t('balancing.pinScheduler', { scheduler: schedulerName(spec.scheduler), how });
}

/**
 * The formula a least-connection scheduler (one of LEAST) minimises, as the kernel computes it (a = active, i = inactive,
 * w = weight), in words (catalog `balancing.formula`).
 */
function formula(scheduler: string): string {
  return t(`balancing.formula.${scheduler}`);
}

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
        ? active[0]
          ? t('balancing.expected.oneHost', { n, host: active[0].host })
          : t('balancing.expected.onlyServer', { n })
        : t('balancing.expected.onePinned', { n, why: pinWhy(spec) });
    case 'alternate':
      return active.length === 2
        ? t('balancing.expected.alternateTwo', { n, hosts: names(active.map((s) => s.host)) })
        : t('balancing.expected.alternate', { n, hosts: names(active.map((s) => s.host)), k: active.length });
    case 'counts': {
      const total = active.reduce((t, s) => t + s.weight, 0);
      const k = Math.floor(n / total);
      if (k === 0) return t('balancing.expected.countsTooFew', { n, total });
      return t('balancing.expected.counts', { n, window: k * total, k, total, shares: active.map((s) => `${s.host} ${k * s.weight}`).join(', ') });
    }
    case 'failover': {
      const top = highest(active);
      return top.length === 1
        ? t('balancing.expected.failover', { n, host: top[0]!.host, weight: top[0]!.weight })
        : t('balancing.expected.failoverOneOf', { n, hosts: names(top.map((s) => s.host)), weight: top[0]!.weight });
    }
    case 'least':
      return t('balancing.expected.least', { count: held, n, formula: formula(spec.scheduler), scheduler: schedulerName(spec.scheduler) });
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
    if (refused === errors.length) parts.push(t('balancing.failed.allRefused', { target, director: spec.director }));
    else parts.push(t(nat ? 'balancing.failed.noAnswerNat' : 'balancing.failed.noAnswer', { director: spec.director }));
  } else if (missing.length > 0 && errors.length > 0) {
    const who = names(missing);
    if (timedOut >= refused)
      parts.push(
        sentences(
          t('balancing.failed.silent', { count: missing.length, hosts: who }),
          nat ? t('balancing.failed.silentNat', { director: spec.director }) : t('balancing.failed.silentDirect', { hosts: who, vip: spec.vip }),
        ),
      );
    else parts.push(t('balancing.failed.refuses', { hosts: who, port: spec.port }));
    [...missing, spec.director].forEach((h) => lookAt.add(h));
  } else if (errors.length > 0) {
    parts.push(t('balancing.failed.flapping', { reasons: [...new Set(errors.map((e) => curlReason(e.exit)))].join(', ') }));
  }
  if (others.length > 0) {
    parts.push(t('balancing.failed.otherPage', { n: others.length, line: others[0]!.firstLine }));
    reals.forEach((h) => lookAt.add(h));
  }
  return { why: parts.length > 0 ? parts.reduce((all, part) => sentences(all, part)) : '', lookAt: [...lookAt] };
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
  const found = t('balancing.found.held', { held: heldText, found: foundBase });
  const steps: { answer: Answer; label: string; holds: boolean }[] = [
    ...held.map((answer, i) => ({ answer, label: t('balancing.least.heldLabel', { i: i + 1 }), holds: true })),
    ...fresh.map((answer, i) => ({ answer, label: t('balancing.least.freshLabel', { i: i + 1 }), holds: false })),
  ];
  for (const step of steps) {
    const host = hostOf(step.answer)!;
    const allowed = allowedServers(spec.scheduler, active, a);
    if (!allowed.some((s) => s.host === host)) {
      const load = loadText(active, a, weighted);
      const want = allowed.length === 0 ? t('balancing.least.noneAllowed') : names(allowed.map((s) => s.host));
      return misScheduled(
        spec,
        expected,
        t('balancing.least.wentTo', { found, label: step.label, host, load }),
        t('balancing.least.why', {
          scheduler: schedulerName(spec.scheduler),
          formula: formula(spec.scheduler),
          load,
          unit: t(weighted ? 'balancing.least.unitWeighted' : 'balancing.least.unit'),
          label: step.label,
          want,
          host,
          director: spec.director,
          vip: spec.vip,
        }),
      );
    }
    if (step.holds) a.set(host, (a.get(host) ?? 0) + 1);
  }
  return pass(expected, t('balancing.least.passed', { found, load: loadText(active, a, weighted) }));
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
    return fail(expected, t('balancing.samePage', { hosts: names(twins) }), t('balancing.samePageWhy', { hosts: names(twins) }));
  const heldAnswers = kind === 'least' ? (held?.held ?? []).map((r) => classify(r, spec.servers)) : [];
  const answers = fresh.map((r) => classify(r, spec.servers));
  const all = [...heldAnswers, ...answers];
  const active = activeOf(spec);
  const counts = tally(answers);
  const missing = active.filter((s) => !tally(all).has(s.host)).map((s) => s.host);
  const bad = all.filter((a) => a.kind !== 'server');
  const reasons = [...new Set(bad.map((a) => answerToken(a).replace(/[()]/g, '')))].join(', ');
  const requests =
    bad.length > 0
      ? t('balancing.found.requestsFailed', { n, sequence: sequenceText(answers), counts: countText(counts, spec.servers), failed: bad.length, reasons })
      : t('balancing.found.requests', { n, sequence: sequenceText(answers), counts: countText(counts, spec.servers) });
  const found =
    missing.length > 0 && all.some((a) => a.kind === 'server') ? [requests, t('balancing.found.neverAnswered', { hosts: names(missing) })].join(t('balancing.sep')) : requests;
  if (kind === 'least' && (held === undefined || n === 0))
    return fail(expected, t('balancing.noHoldProbe'), t('balancing.noHoldProbeWhy', { vip: spec.vip, port: spec.port }));
  if (bad.length > 0) {
    const heldBad = heldAnswers.filter((a) => a.kind !== 'server');
    const heldNoPage = heldBad.length > 0 && answers.every((a) => a.kind === 'server');
    const { why, lookAt } = failedRequestsWhy(spec, all, missing);
    return {
      ...fail(
        expected,
        kind === 'least' ? t('balancing.found.held', { held: heldAnswers.map(answerToken).join(' '), found }) : found,
        (heldNoPage ? sentences(why, t('balancing.failed.heldNoPage')) : why).trim(),
      ),
      lookAt,
    };
  }

  const quiesced = spec.servers.filter((s) => s.weight === 0 && tally(all).has(s.host)).map((s) => s.host);
  if (quiesced.length > 0)
    return misScheduled(spec, expected, found, t('balancing.quiesced', { hosts: names(quiesced), director: spec.director }));

  switch (kind) {
    case 'one-server':
      if (counts.size === 1 && (active.length !== 1 || counts.has(active[0]!.host))) return pass(expected, found);
      return misScheduled(
        spec,
        expected,
        found,
        active.length <= 1
          ? active[0]
            ? t('balancing.oneServer.only', { host: active[0].host, director: spec.director })
            : t('balancing.oneServer.onlyOne', { director: spec.director })
          : t(spec.persistence !== undefined ? 'balancing.oneServer.pinnedPersistence' : 'balancing.oneServer.pinned', { why: pinWhy(spec), hosts: names([...counts.keys()]), director: spec.director }),
      );
    case 'alternate': {
      if (missing.length > 0)
        return misScheduled(
          spec,
          expected,
          found,
          t('balancing.alternate.missing', { scheduler: schedulerName(spec.scheduler), k: active.length, hosts: names(missing), director: spec.director }),
        );
      const r = firstRepeat(answers, active.length);
      if (r)
        return misScheduled(
          spec,
          expected,
          found,
          t(r.second === r.first + 1 ? 'balancing.alternate.repeatInRow' : 'balancing.alternate.repeatApart', {
            scheduler: spec.scheduler === 'wrr' ? t('balancing.alternate.equalWeights', { scheduler: schedulerName('wrr') }) : schedulerName(spec.scheduler),
            host: r.host,
            first: r.first + 1,
            second: r.second + 1,
            k: active.length,
            director: spec.director,
          }),
        );
      return pass(expected, found);
    }
    case 'counts': {
      const total = active.reduce((t, s) => t + s.weight, 0);
      const k = Math.floor(n / total);
      if (k === 0) return pass(expected, found);
      const window = tally(answers.slice(0, k * total));
      const off = active.filter((s) => (window.get(s.host) ?? 0) !== k * s.weight);
      const windowFound = t('balancing.found.firstWindow', { found, window: k * total, counts: countText(window, active) });
      if (off.length === 0) return pass(expected, windowFound);
      const g = active.reduce((x, s) => gcd(x, s.weight), 0);
      return misScheduled(
        spec,
        expected,
        windowFound,
        t('balancing.counts.why', { scheduler: schedulerName('wrr'), total, ratio: active.map((s) => s.weight / g).join(':'), window: k * total, director: spec.director }),
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
        t('balancing.failover.why', {
          scheduler: schedulerName('fo'),
          top: names(top.map((s) => `${s.host} ${s.weight}`)),
          hosts: names(wrong.length > 0 ? wrong : [...counts.keys()]),
          director: spec.director,
        }),
      );
    }
    case 'least':
      return judgeLeast(spec, held!, expected, found);
  }
}
