// The balancing judge: from the answers of N fresh connections, decide whether the scheduler behaves as the spec says.
import { answerToken, classify, curlReason, normalizePage, sequenceText, type Answer, type RequestRecord, type ServerPage } from './requests.js';
import { fail, pass, type Verdict } from './types.js';

export interface BalancingSpec {
  vip: string;
  port: number;
  scheduler: string;
  persistence?: number;
  servers: ServerPage[];
  /** The director's host name, to point at its checks. */
  director: string;
  /** The service's forwarding mode, for the words of why replies go missing (default nat). */
  forwarding?: 'nat' | 'dr' | 'tun';
}

/** What the scheduler should produce for one client sending fresh connections one after another. */
export type Expectation = 'alternate' | 'counts' | 'one-server' | 'all-answer';

const PINNING = ['sh', 'dh', 'lblc', 'lblcr'];

export function expectationFor(spec: BalancingSpec): Expectation {
  const active = spec.servers.filter((s) => s.weight > 0);
  if (spec.persistence !== undefined || PINNING.includes(spec.scheduler) || active.length <= 1) return 'one-server';
  if (spec.scheduler === 'rr') return 'alternate';
  if (spec.scheduler === 'wrr') return active.every((s) => s.weight === active[0]!.weight) ? 'alternate' : 'counts';
  return 'all-answer';
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

function pinWhy(spec: BalancingSpec): string {
  return spec.persistence !== undefined
    ? `persistence (-p ${spec.persistence})`
    : `the ${spec.scheduler} scheduler (it hashes the ${spec.scheduler === 'sh' ? 'client' : 'destination'} address to one server)`;
}

export function expectedText(spec: BalancingSpec, n: number): string {
  const active = spec.servers.filter((s) => s.weight > 0);
  switch (expectationFor(spec)) {
    case 'one-server':
      return active.length <= 1
        ? `all ${n} requests answered by ${active[0]?.host ?? 'the only real server'}`
        : `all ${n} requests answered by one real server (${pinWhy(spec)})`;
    case 'alternate':
      return `all ${n} requests answered, every real server (${names(active.map((s) => s.host))}) answers, never the same one twice in a row`;
    case 'counts': {
      const total = active.reduce((t, s) => t + s.weight, 0);
      const k = Math.floor(n / total);
      if (k === 0) return `all ${n} requests answered by the real servers (${n} requests are fewer than the total weight ${total}: shares not judged)`;
      return `all ${n} requests answered; over the first ${k * total} (${k} × total weight ${total}): ${active.map((s) => `${s.host} ${k * s.weight}`).join(', ')}`;
    }
    case 'all-answer':
      return `all ${n} requests answered, and every real server (${names(active.map((s) => s.host))}) answers at least once (${spec.scheduler})`;
  }
}

function failedRequestsWhy(spec: BalancingSpec, answers: Answer[], missing: string[]): string {
  const errors = answers.filter((a): a is Extract<Answer, { kind: 'error' }> => a.kind === 'error');
  const others = answers.filter((a): a is Extract<Answer, { kind: 'other' }> => a.kind === 'other');
  const answered = answers.some((a) => a.kind === 'server');
  const refused = errors.filter((e) => e.exit === 7 || e.exit === 56).length;
  const timedOut = errors.filter((e) => e.exit === 28).length;
  const parts: string[] = [];
  const target = `${spec.vip}:${spec.port}`;
  if (!answered && errors.length > 0) {
    if (refused === errors.length)
      parts.push(`Nothing at ${target} accepted the connections: the director ${spec.director} has no IPVS service for it (or does not hold the VIP), or every real server refuses. See ${spec.director}'s checks.`);
    else
      parts.push(
        (spec.forwarding ?? 'nat') === 'nat'
          ? `No answer came back at all: either ${spec.director} does not take the requests (VIP, IPVS table) or the replies never return through it (ip_forward on ${spec.director}, the real servers' default route). See ${spec.director}'s and the real servers' checks.`
          : `No answer came back at all: either ${spec.director} does not take the requests (VIP, IPVS table) or the real servers drop them (the VIP they must hold, the forwarding flag). See ${spec.director}'s and the real servers' checks.`,
      );
  } else if (missing.length > 0 && errors.length > 0) {
    const who = names(missing);
    if (timedOut >= refused)
      parts.push(
        `IPVS does not check health: it keeps sending ${who} a share of the connections, but no answer comes back from ${missing.length > 1 ? 'them' : 'it'}. ` +
          ((spec.forwarding ?? 'nat') === 'nat'
            ? `The replies do not return through ${spec.director} (default route), or the requests are dropped on the way (firewall, or -g instead of -m). See ${who}'s checks.`
            : `${missing.length > 1 ? 'They do' : 'It does'} not take the requests as sent (the VIP it must hold, or another forwarding flag than the spec's on ${spec.director}), or they are dropped on the way (firewall). See ${who}'s and ${spec.director}'s checks.`),
      );
    else
      parts.push(
        `IPVS does not check health: it keeps sending ${who} a share of the connections, and ${who} refuses them: its web server is not running, or its firewall rejects port ${spec.port}. See ${who}'s checks.`,
      );
  } else if (errors.length > 0) {
    parts.push(`Some requests failed (${[...new Set(errors.map((e) => curlReason(e.exit)))].join(', ')}) although every real server answered at times: a server or the director is flapping, or still starting (try --wait 30s).`);
  }
  if (others.length > 0)
    parts.push(
      `${others.length} answer(s) were not the page lab up wrote on any real server (first line "${others[0]!.firstLine}"), so they cannot be told apart: a server serves another page. See the index page checks.`,
    );
  return parts.join(' ');
}

export function judgeBalancing(spec: BalancingSpec, records: RequestRecord[]): Verdict {
  const n = records.length;
  const expected = expectedText(spec, n);
  const pages = new Map<string, string[]>();
  for (const s of spec.servers) pages.set(normalizePage(s.page), [...(pages.get(normalizePage(s.page)) ?? []), s.host]);
  const twins = [...pages.values()].find((h) => h.length > 1);
  if (twins)
    return fail(
      expected,
      `${names(twins)} serve the same page`,
      `Answers are told apart by the page each real server serves; ${names(twins)} serve identical pages, so the balancing cannot be judged.`,
    );
  const answers = records.map((r) => classify(r, spec.servers));
  const active = spec.servers.filter((s) => s.weight > 0);
  const counts = tally(answers);
  const missing = active.filter((s) => !counts.has(s.host)).map((s) => s.host);
  const bad = answers.filter((a) => a.kind !== 'server');
  const reasons = [...new Set(bad.map((a) => answerToken(a).replace(/[()]/g, '')))].join(', ');
  const found =
    `${n} requests: ${sequenceText(answers)} (${countText(counts, spec.servers)}` +
    `${bad.length > 0 ? `, failed ${bad.length}: ${reasons}` : ''})${missing.length > 0 && counts.size > 0 ? `; ${names(missing)} never answered` : ''}`;
  if (bad.length > 0) return fail(expected, found, failedRequestsWhy(spec, answers, missing));

  const quiesced = spec.servers.filter((s) => s.weight === 0 && counts.has(s.host)).map((s) => s.host);
  if (quiesced.length > 0)
    return fail(expected, found, `${names(quiesced)} has weight 0 in the spec and must get no new connections, yet answered: its weight on ${spec.director} is not 0. See ${spec.director}'s IPVS table check.`);

  switch (expectationFor(spec)) {
    case 'one-server':
      if (counts.size === 1 && (active.length !== 1 || counts.has(active[0]!.host))) return pass(expected, found);
      return fail(
        expected,
        found,
        active.length <= 1
          ? `Only ${active[0]?.host ?? 'one server'} takes new connections in the spec, yet others answered: the table on ${spec.director} differs. See its IPVS table check.`
          : `Under ${pinWhy(spec)}, every connection from one client goes to the same real server; answers from ${names([...counts.keys()])} mean ${spec.director} does not schedule that way. See its IPVS table check.`,
      );
    case 'alternate': {
      if (missing.length > 0)
        return fail(expected, found, `${spec.scheduler} sends each new connection to the next real server, so every one answers within ${active.length} requests; ${names(missing)} never did, so it is missing from the table on ${spec.director} or has weight 0 there. See its IPVS table check.`);
      const i = answers.findIndex((a, j) => j > 0 && a.kind === 'server' && answers[j - 1]!.kind === 'server' && (answers[j - 1] as { host: string }).host === a.host);
      if (i > 0)
        return fail(
          expected,
          found,
          `${spec.scheduler}${spec.scheduler === 'wrr' ? ' with equal weights' : ''} sends each new connection to the next real server, so ${(answers[i] as { host: string }).host} answering requests ${i} and ${i + 1} in a row means ${spec.director} schedules otherwise (another scheduler, unequal weights, or persistence). See its IPVS table check.`,
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
      const g = active.reduce((a, s) => gcd(a, s.weight), 0);
      return fail(
        expected,
        `${found}; over the first ${k * total}: ${countText(window, active)}`,
        `wrr gives each real server its weight's share of every ${total} connections (${active.map((s) => s.weight / g).join(':')}), in runs rather than strictly interleaved, so any ${k * total} consecutive answers hold exact shares. ` +
          `These do not: the weights or the scheduler on ${spec.director} differ from the spec. See its IPVS table check.`,
      );
    }
    case 'all-answer':
      if (missing.length === 0) return pass(expected, found);
      return fail(
        expected,
        found,
        `${spec.scheduler} sends each new connection to the real server with the fewest (weighted) connections, so over ${n} connections one after another every server answers; ${names(missing)} never did: it is missing from the table on ${spec.director} or has weight 0 there.`,
      );
  }
}
