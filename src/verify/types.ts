// The shapes every check shares: a verdict from a pure judge, and a result tied to a check and a host.

/** unreachable: the check could not run, because lab could not look at its host (counted apart from a failure). */
export type Status = 'pass' | 'fail' | 'skip' | 'unreachable';

/** A check that did not pass: it failed, or could not run. */
export function isFailing(status: Status): boolean {
  return status === 'fail' || status === 'unreachable';
}

/** What a judge decides, from recorded facts and probe output alone. */
export interface Verdict {
  status: Status;
  expected: string;
  found: string;
  /** One to three sentences that teach the cause (failures only). */
  why?: string;
  /** Exact commands for this host's OS, in order (failures only). */
  fix?: string[];
  /** The fix would name a NetworkManager profile, which is read only for failing hosts: judge again once read. */
  needsNm?: boolean;
  /** A symptom's suspects: the hosts whose checks should hold its cause (failures only; see linkCauses). */
  lookAt?: string[];
  /**
   * The balancing check's answers per real server, in the spec's order, over the fresh requests it judged; answers from
   * no real server (errors, other pages) as one more entry with `host: null`. The terminal shows it as bars.
   */
  distribution?: { host: string | null; count: number }[];
  /** An active check's figures (failover, health), seconds and counts, by name: e.g. `outage_s`, `takeover_s`. */
  measured?: Record<string, number>;
}

/** One testcase: a check of the spec on one host. */
export interface CheckResult extends Verdict {
  /** The spec's check kind: balancing, director, real-servers, path. */
  check: string;
  /** A stable id within the kind, e.g. ip_forward, route, firewall. */
  id: string;
  host: string;
  /** A short human title, e.g. "route to 192.168.4.10 via 192.168.2.5". */
  title: string;
}

export function pass(expected: string, found: string): Verdict {
  return { status: 'pass', expected, found };
}

export function skip(expected: string, found: string): Verdict {
  return { status: 'skip', expected, found };
}

export function fail(expected: string, found: string, why: string, fix: string[] = []): Verdict {
  return { status: 'fail', expected, found, why, fix };
}

/** A failure whose fix uses NetworkManager profiles when the host has them. */
export function failNm(nmRead: boolean, expected: string, found: string, why: string, fix: string[] = []): Verdict {
  return nmRead ? fail(expected, found, why, fix) : { ...fail(expected, found, why, fix), needsNm: true };
}
