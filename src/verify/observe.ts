// One round trip per host: the fact command and the probe in a single exec; NetworkManager's profiles only for hosts that fail.
import { RunError } from '../errors.js';
import { FACT_PRELUDE, factScript, nmLines } from '../facts/script.js';
import { hasNmSection, parseFacts, parseNmConnections, splitSections } from '../facts/parse.js';
import type { FactQuery, Facts } from '../facts/types.js';
import type { Remote } from '../ssh/connection.js';
import { holdSeconds, parseProbe, probeScript, type ProbeOutput, type ProbeRequest } from './probe.js';

const SPLIT = '@@verify-begin';

/**
 * The fact script runs in a subshell (it ends with `exit 0`), then the probe. Under emulation every process costs, so
 * the query asks only for the sections this host's checks judge (see HostNeed): never NetworkManager's profiles (about
 * a second of nmcli; passing checks never need them, and hosts with failures get them in a second round trip,
 * nmScript, for exact fix commands), never firewalld's zone over D-Bus (the probe reads firewalld.conf).
 */
export function combinedScript(query: FactQuery, probe: ProbeRequest): string {
  return `(\n${factScript(query)}\n)\nprintf '\\n${SPLIT}\\n'\n${probeScript(probe)}\nexit 0`;
}

/** NetworkManager's profiles, in the fact command's section format (the same lines the fact command uses). */
export function nmScript(): string {
  return ['export LC_ALL=C', ...nmLines(), 'exit 0'].join('\n');
}

export function withConnections(facts: Facts, nmOut: string): Facts {
  const sections = splitSections(nmOut);
  if (!hasNmSection(sections)) return facts;
  return { ...facts, nm: true, connections: parseNmConnections(sections) };
}

export function splitOutput(stdout: string, query: FactQuery, probe?: ProbeRequest): { facts: Facts; probe: ProbeOutput } {
  const i = stdout.indexOf(`\n${SPLIT}\n`);
  const factText = i < 0 ? stdout : stdout.slice(0, i);
  const probeText = i < 0 ? '' : stdout.slice(i + SPLIT.length + 2);
  return { facts: parseFacts(factText, query), probe: parseProbe(probeText, probe?.requests) };
}

/** Time the probe may take: curl gives up after 2 s per request; each hold probe is bounded by timeout(1). */
export function probeTimeoutMs(probe: ProbeRequest): number {
  const requests = [...probe.requests.values()].reduce((a, b) => a + b, 0);
  const holds = [...probe.holds.values()].reduce((a, h) => a + holdSeconds(h), 0);
  return 60_000 + requests * 3_000 + holds * 1_000;
}

export async function observe(conn: Remote, query: FactQuery, probe: ProbeRequest): Promise<{ facts: Facts; probe: ProbeOutput }> {
  const res = await conn.exec(combinedScript(query, probe), { prelude: FACT_PRELUDE, timeoutMs: probeTimeoutMs(probe) });
  if (res.code !== 0) throw new RunError(`the verify command failed (exit ${res.code}): ${res.stderr.trim().split('\n').pop() ?? ''}`, conn.name);
  const out = splitOutput(res.stdout, query, probe);
  if (!out.facts.os) {
    const pretty = /^PRETTY_NAME="?([^"\n]*)/m.exec(out.facts.osRelease)?.[1] ?? 'an unknown OS';
    throw new RunError(`unsupported OS ${pretty}: lab supports RHEL/CentOS 7, Rocky/Alma 8 and 9, Debian 12 and Ubuntu`, conn.name);
  }
  return out;
}

export async function fetchConnections(conn: Remote, facts: Facts): Promise<Facts> {
  const res = await conn.exec(nmScript(), { timeoutMs: 60_000 });
  return res.code === 0 ? withConnections(facts, res.stdout) : facts;
}
