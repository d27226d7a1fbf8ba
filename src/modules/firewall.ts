// firewall: firewalld's default zone, runtime and permanent; skipped where firewalld is not running.
// A lab interface whose NetworkManager profile binds it to another zone does not follow the default zone, so the
// course's `firewall-cmd --set-default-zone=trusted` would not reach it: its profile is moved back to the default.
import { z } from 'zod';
import { RunError } from '../errors.js';
import type { Link, NmConnection } from '../facts/types.js';
import { quote, sh } from '../ssh/quote.js';
import { connRef, findLink, profileFor } from './interfaces.js';
import type { Change, HostContext, Module } from './types.js';

export interface FirewallTask {
  defaultZone: string;
}

/** The lab links whose profile binds them to a zone other than the wanted default zone. */
function boundElsewhere(ctx: HostContext, zone: string): { link: Link; conn: NmConnection }[] {
  const out: { link: Link; conn: NmConnection }[] = [];
  for (const [network, ip] of Object.entries(ctx.host.interfaces)) {
    let link: Link;
    try {
      link = findLink(ctx, network, ip);
    } catch (e) {
      // The connection task names the interface it cannot find; a link not found here has no profile to move.
      if (e instanceof RunError) continue;
      throw e;
    }
    const conn = profileFor(ctx, link);
    if (conn && conn.zone !== '' && conn.zone !== zone && !out.some((o) => o.conn.uuid === conn.uuid)) out.push({ link, conn });
  }
  return out;
}

export const firewallModule: Module<FirewallTask> = {
  key: 'firewall',
  schema: z.strictObject({ default_zone: z.string().regex(/^[A-Za-z0-9_-]+$/) }),
  bind: (raw: { default_zone: string }) => ({ defaultZone: raw.default_zone }),
  facts: ['firewallZone', 'nm'],
  label: (t) => `firewall zone ${t.defaultZone}`,
  plan(task, ctx) {
    const cur = ctx.facts.firewallZone;
    if (cur === undefined) return [];
    const changes: Change[] =
      cur === task.defaultZone
        ? []
        : [{ title: `default zone ${task.defaultZone} (was ${cur})`, commands: [`firewall-cmd --set-default-zone=${quote(task.defaultZone)}`], record: { 'firewall.zone': cur } }];
    for (const { link, conn } of boundElsewhere(ctx, task.defaultZone)) {
      const ref = connRef(ctx, conn);
      // NetworkManager hands a changed zone of an active profile to firewalld at once: no reapply, no link flap.
      changes.push({
        title: `${ref} on ${link.name}: in the default zone (its profile binds it to zone ${conn.zone}, which the default zone does not override)`,
        commands: [sh`nmcli connection modify ${ref} connection.zone ''`],
        record: { [`conn.${conn.uuid}.zone`]: conn.zone },
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
