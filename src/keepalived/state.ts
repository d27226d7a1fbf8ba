// keepalived's state in its own words: the journal since it last started (`journalctl -u keepalived -o cat`), read
// for each VRRP instance's latest state and each real server's latest check verdict; and the nftables rules that
// name VRRP, which split a group's brain when they drop its advertisements.

import { quote } from '../ssh/quote.js';

export type VrrpState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP';

export interface InstanceLog {
  /** The state it entered last (STOP once keepalived stopped it). */
  state: VrrpState;
  /** How many times it entered a state since keepalived started. */
  transitions: number;
}

export interface CheckLog {
  /** The real server's last verdict: up (added, or its check succeeded) or down (removed, or its check failed). */
  up: boolean;
  /** The line that said so, e.g. `TCP connection to [192.168.4.100]:tcp:8080 failed.` */
  line: string;
}

export interface VrrpRule {
  /** Where it is: `nft table inet t, chain in`, or `firewalld zone trusted (runtime)`. */
  where: string;
  /** The rule as nft or firewalld prints it. */
  rule: string;
  /** Whether it drops or rejects (an accept rule does no harm). */
  blocks: boolean;
  /** The command that deletes it. */
  fix: string;
}

export interface KeepalivedLog {
  /** Whether the log shows a start of keepalived at all this boot. */
  started: boolean;
  /** Whether its last start was followed by a stop. */
  stopped: boolean;
  instances: Map<string, InstanceLog>;
  /** "ADDRESS:PORT" of each real server → its latest check verdict. */
  checks: Map<string, CheckLog>;
  /** Lines that name a problem (errors, bad config, authentication, mismatched ids), latest last, at most 10. */
  problems: string[];
  vrrpRules?: VrrpRule[];
}

const PROBLEM = /error|invalid|mismatch|not present|unknown keyword|bad |wrong|fault|authentication|receive.*(password|passwd)|missing/i;

/** The log since keepalived last started (the input is the unit's journal of this boot, oldest first). */
export function parseKeepalivedLog(text: string): KeepalivedLog {
  const lines = text.split('\n');
  let from = -1;
  lines.forEach((l, i) => {
    if (/^Starting Keepalived v/.test(l) || /^Starting keepalived\.service|Starting Keepalive Daemon/.test(l)) from = i;
  });
  const out: KeepalivedLog = { started: from >= 0, stopped: false, instances: new Map(), checks: new Map(), problems: [] };
  for (const l of lines.slice(Math.max(0, from))) {
    const enter = /^\((\S+)\) Entering (MASTER|BACKUP|FAULT) STATE/.exec(l);
    if (enter) {
      const transitions = (out.instances.get(enter[1]!)?.transitions ?? 0) + 1;
      out.instances.set(enter[1]!, { state: enter[2] as VrrpState, transitions });
      continue;
    }
    if (/^Stopping$|^Stopped keepalived|^Stopping keepalived|Keepalived_vrrp exited|^Stopped Keepalive/.test(l)) {
      out.stopped = true;
      for (const [k, v] of out.instances) out.instances.set(k, { ...v, state: 'STOP' });
    }
    const real = /\[(\d+\.\d+\.\d+\.\d+)\]:(?:tcp|udp):(\d+)/.exec(l);
    // A checker's verdict on a real server (success or failure lines); the table's own lines are read below.
    if (real && !/^(Activating|Shutting down|Removing|Adding) /.test(l)) {
      const key = `${real[1]}:${real[2]}`;
      if (/succeed|success/i.test(l)) out.checks.set(key, { up: true, line: l });
      else if (/fail|timeout|timed out|refused|error/i.test(l)) out.checks.set(key, { up: false, line: l });
    }
    const removed = /^Removing service \[(\d+\.\d+\.\d+\.\d+)\]:(?:tcp|udp):(\d+)/.exec(l);
    if (removed) out.checks.set(`${removed[1]}:${removed[2]}`, { up: false, line: out.checks.get(`${removed[1]}:${removed[2]}`)?.line ?? l });
    const added = /^Adding service \[(\d+\.\d+\.\d+\.\d+)\]:(?:tcp|udp):(\d+)/.exec(l);
    if (added) out.checks.set(`${added[1]}:${added[2]}`, { up: true, line: l });
    if (PROBLEM.test(l) && !/NOTICE: setting config option/.test(l)) out.problems.push(l);
  }
  out.problems = out.problems.slice(-10);
  return out;
}

/**
 * Rules that name VRRP: `nft FAMILY TABLE CHAIN RULE # handle N` lines (nft -a, where the nft tool exists), and
 * `rich ZONE "RULE"...` lines (firewalld's runtime rich rules of its default zone over D-Bus, busctl's `as N "…"`).
 * Rules of firewalld's own table are reported through its rich rules, which is how they are removed.
 */
export function parseVrrpRules(text: string): VrrpRule[] {
  const out: VrrpRule[] = [];
  for (const line of text.split('\n')) {
    const rich = /^rich (\S+) as \d+ (.*)$/.exec(line);
    if (rich) {
      const zone = rich[1]!;
      for (const m of rich[2]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
        const rule = m[1]!.replace(/\\"/g, '"').replace(/\\\\/g, '\\');
        if (!/protocol value="?(vrrp|112)"?/.test(rule)) continue;
        out.push({ where: `firewalld zone ${zone} (runtime)`, rule, blocks: /\b(drop|reject)\b/.test(rule), fix: `firewall-cmd --zone=${zone} --remove-rich-rule=${quote(rule)}; firewall-cmd --permanent --zone=${zone} --remove-rich-rule=${quote(rule)} || true` });
      }
      continue;
    }
    const m = /^nft (\S+) (\S+) (\S+) \s*(.*)$/.exec(line);
    if (!m || m[2] === 'firewalld') continue;
    const rule = m[4]!.trim();
    if (/^(chain|table) /.test(rule) || rule === '') continue;
    const handle = /# handle (\d+)/.exec(rule);
    out.push({
      where: `nft table ${m[1]} ${m[2]}, chain ${m[3]}`,
      rule: rule.replace(/\s*# handle \d+$/, ''),
      blocks: /\b(drop|reject)\b/.test(rule),
      fix: handle ? `nft delete rule ${m[1]} ${m[2]} ${m[3]} handle ${handle[1]}` : `nft -a list chain ${m[1]} ${m[2]} ${m[3]}`,
    });
  }
  return out;
}
