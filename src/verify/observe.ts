// One round trip per host: the fact command and the probe in a single exec, split and parsed.
import { RunError } from '../errors.js';
import { FACT_PRELUDE, factScript } from '../facts/script.js';
import { parseFacts } from '../facts/parse.js';
import type { FactQuery, Facts } from '../facts/types.js';
import type { SshConnection } from '../ssh/connection.js';
import { parseProbe, probeScript, type ProbeOutput, type ProbeRequest } from './probe.js';

const SPLIT = '@@verify-begin';

/** The fact script runs in a subshell (it ends with `exit 0`), then the probe. */
export function combinedScript(query: FactQuery, probe: ProbeRequest): string {
  return `(\n${factScript(query)}\n)\nprintf '\\n${SPLIT}\\n'\n${probeScript(probe)}\nexit 0`;
}

export function splitOutput(stdout: string, query: FactQuery): { facts: Facts; probe: ProbeOutput } {
  const i = stdout.indexOf(`\n${SPLIT}\n`);
  const factText = i < 0 ? stdout : stdout.slice(0, i);
  const probeText = i < 0 ? '' : stdout.slice(i + SPLIT.length + 2);
  return { facts: parseFacts(factText, query), probe: parseProbe(probeText) };
}

/** Time the probe may take: curl gives up after 2 s per request. */
export function probeTimeoutMs(probe: ProbeRequest): number {
  const requests = [...probe.requests.values()].reduce((a, b) => a + b, 0);
  return 60_000 + requests * 3_000;
}

export async function observe(conn: SshConnection, query: FactQuery, probe: ProbeRequest): Promise<{ facts: Facts; probe: ProbeOutput }> {
  const res = await conn.exec(combinedScript(query, probe), { prelude: FACT_PRELUDE, timeoutMs: probeTimeoutMs(probe) });
  if (res.code !== 0) throw new RunError(`the verify command failed (exit ${res.code}): ${res.stderr.trim().split('\n').pop() ?? ''}`, conn.name);
  const out = splitOutput(res.stdout, query);
  if (!out.facts.os) {
    const pretty = /^PRETTY_NAME="?([^"\n]*)/m.exec(out.facts.osRelease)?.[1] ?? 'an unknown OS';
    throw new RunError(`unsupported OS ${pretty}: lab supports RHEL/CentOS 7, Rocky/Alma 8 and 9, Debian 12 and Ubuntu`, conn.name);
  }
  return out;
}
