// firewall: firewalld's default zone, runtime and permanent; skipped where firewalld is not running.
// A lab interface whose NetworkManager profile binds it to another zone does not follow the default zone, so the
// course's `firewall-cmd --set-default-zone=trusted` would not reach it: its profile is moved back to the default.
// So is one that firewalld holds in another zone at runtime only.
import { z } from 'zod';
import { RunError } from '../errors.js';
import type { Link, NmConnection } from '../facts/types.js';
import { quote, sh } from '../ssh/quote.js';
import { connRef, findLink, profileFor } from './interfaces.js';
import { valuesDiff } from './file.js';
import type { Change, HostContext, Module } from './types.js';

export interface FirewallTask {
  defaultZone: string;
}

/** Each lab link (once), with the profile it runs under; a link not found is the connection task's to name. */
function labLinks(ctx: HostContext): { link: Link; conn: NmConnection | undefined }[] {
  const out: { link: Link; conn: NmConnection | undefined }[] = [];
  for (const [network, ip] of Object.entries(ctx.host.interfaces)) {
    let link: Link;
    try {
      link = findLink(ctx, network, ip);
    } catch (e) {
      if (e instanceof RunError) continue;
      throw e;
    }
    if (!out.some((o) => o.link.name === link.name)) out.push({ link, conn: profileFor(ctx, link) });
  }
  return out;
}

/**
 * firewalld 1.3's set-default-zone moves the interfaces NetworkManager put in the old default zone by walking that
 * zone's list while it removes from it, so every second one stays behind, bound to the old zone by name (seen after
 * `lab reset` and a reboot: ens3 left in public under default zone trusted). Such a binding, or any other runtime one
 * that is not the wanted zone, is taken away: the interface then follows the default zone, as NetworkManager's
 * profile (zone '') means, and NetworkManager binds it the same way at its next activation.
 */
function strayBinding(ctx: HostContext, link: Link, conn: NmConnection | undefined, zone: string): Change | undefined {
  const bound = ctx.facts.firewallBindings.get(link.name);
  // A profile naming another zone is moved by its own change below: NetworkManager hands the new zone to firewalld.
  if (bound === undefined || bound === zone || (conn && conn.zone !== '' && conn.zone !== zone)) return undefined;
  return {
    title: `${link.name}: out of zone ${bound}, so that the default zone ${zone} filters it (firewalld bound it to ${bound} at runtime)`,
    // The facts may be minutes old by now (package installs run first), and a lab NIC still waiting for DHCP after a
    // boot leaves firewalld's zone when NetworkManager gives up on it. So a failed removal is fine when the interface
    // is no longer in that zone: that is what was wanted (seen in CI: UNKNOWN_INTERFACE, 'ens3' is not in any zone).
    commands: [sh`firewall-cmd --zone=${bound} --remove-interface=${link.name} || ! firewall-cmd -q --zone=${bound} --query-interface=${link.name}`],
    diff: valuesDiff([[`${link.name} runtime zone (firewalld)`, bound, `(none: the default zone ${zone})`]]),
  };
}

export const firewallModule: Module<FirewallTask> = {
  key: 'firewall',
  schema: z.strictObject({ default_zone: z.string().regex(/^[A-Za-z0-9_-]+$/) }),
  bind: (raw: { default_zone: string }) => ({ defaultZone: raw.default_zone }),
  facts: ['firewallZone', 'nm'],
  label: (t) => `firewall zone ${t.defaultZone}`,
  desired: (t) => [`firewall:${t.defaultZone}`],
  plan(task, ctx) {
    const cur = ctx.facts.firewallZone;
    if (cur === undefined) return [];
    const links = labLinks(ctx);
    // Runtime-only bindings first: once set-default-zone has run, an interface it did move is no longer where the
    // facts saw it, and `--remove-interface` from that zone would fail.
    const changes = links.flatMap(({ link, conn }) => strayBinding(ctx, link, conn, task.defaultZone) ?? []);
    if (cur !== task.defaultZone)
      changes.push({
        title: `default zone ${task.defaultZone} (was ${cur})`,
        commands: [`firewall-cmd --set-default-zone=${quote(task.defaultZone)}`],
        record: { 'firewall.zone': cur },
        diff: valuesDiff([['firewalld default zone', cur, task.defaultZone]]),
      });
    for (const { link, conn } of links) {
      if (!conn || conn.zone === '' || conn.zone === task.defaultZone) continue;
      const ref = connRef(ctx, conn);
      // NetworkManager hands a changed zone of an active profile to firewalld at once: no reapply, no link flap.
      changes.push({
        title: `${ref} on ${link.name}: in the default zone (its profile binds it to zone ${conn.zone}, which the default zone does not override)`,
        commands: [sh`nmcli connection modify ${ref} connection.zone ''`],
        record: { [`conn.${conn.uuid}.zone`]: conn.zone },
        diff: valuesDiff([[`${ref} connection.zone`, conn.zone, '']]),
      });
    }
    return changes;
  },
  down(_task, { facts }) {
    const changes: Change[] = [];
    for (const [key, was] of facts.state) {
      const m = /^conn\.(.+)\.zone$/.exec(key);
      const c = m ? facts.connections.find((x) => x.uuid === m[1]) : undefined;
      if (c && c.zone === '') changes.push({ title: `${c.name}: back in zone ${was}`, commands: [sh`nmcli connection modify ${c.uuid} connection.zone ${was}`] });
    }
    const was = facts.state.get('firewall.zone');
    if (was && facts.firewallZone !== undefined && facts.firewallZone !== was) changes.push({ title: `default zone back to ${was}`, commands: [`firewall-cmd --set-default-zone=${quote(was)}`] });
    return changes;
  },
};
