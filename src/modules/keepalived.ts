// keepalived: keepalived.conf rendered from the spec's VRRP groups and their services, checked with `keepalived -t`
// before it replaces the live file, and reloaded only when it changed. down puts back the file it found.
import { z } from 'zod';
import { HEADER, KEEPALIVED_CONF, groupsOf, renderKeepalived } from '../keepalived/config.js';
import { vipNetwork } from '../spec/services.js';
import type { Lab } from '../spec/schema.js';
import { quote } from '../ssh/quote.js';
import { fileDiff, writeCommand } from './file.js';
import { findLink } from './interfaces.js';
import type { Change, HostContext, Module } from './types.js';

/** The task takes no settings: everything comes from the lab spec. */
export type KeepalivedTask = Record<string, never>;

/** Where `up` keeps a keepalived.conf it found (not one of lab's), for `down` to put back. */
export function savedConf(lab: Lab): string {
  return `/var/lib/lab/${lab.name}.keepalived.conf`;
}

const STAGED = `${KEEPALIVED_CONF}.lab-new`;

/** This host's keepalived.conf as the spec renders it, with its real interface names. */
export function wantedConf(ctx: HostContext): string {
  const devices: Record<string, string> = {};
  for (const [network, ip] of Object.entries(ctx.host.interfaces)) devices[network] = findLink(ctx, network, ip).name;
  return renderKeepalived(ctx.lab, ctx.hostName, devices, (g) => vipNetwork(ctx.lab, ctx.hostName, g.vip) ?? Object.keys(ctx.host.interfaces)[0]!);
}

export const keepalivedModule: Module<KeepalivedTask> = {
  key: 'keepalived',
  schema: z.strictObject({}),
  bind: () => ({}),
  label: () => 'keepalived',
  desired: () => ['keepalived'],
  files: () => [KEEPALIVED_CONF],
  plan(_task, ctx) {
    if (groupsOf(ctx.lab, ctx.hostName).length === 0) return [];
    const want = wantedConf(ctx);
    const cur = ctx.facts.files.get(KEEPALIVED_CONF)?.content;
    if (cur?.toString('utf8') === want) return [];
    const found = cur === undefined ? 'absent' : cur.toString('utf8').startsWith(HEADER) ? 'lab' : 'saved';
    const save = savedConf(ctx.lab);
    const change: Change = {
      title: `${cur === undefined ? 'write' : 'rewrite'} ${KEEPALIVED_CONF} (checked with keepalived -t first), reload keepalived if it runs`,
      commands: [
        'mkdir -p /etc/keepalived',
        writeCommand(STAGED, want),
        // The live file is replaced only by a config keepalived itself accepts.
        `if ! keepalived -t -f ${STAGED} >/dev/null 2>${STAGED}.err; then echo "keepalived -t refused the new config: $(tail -n 3 ${STAGED}.err | tr '\\n' ' ')" >&2; rm -f ${STAGED} ${STAGED}.err; exit 1; fi`,
        `rm -f ${STAGED}.err`,
        ...(found === 'saved' ? [`[ -e ${quote(save)} ] || cp -p ${KEEPALIVED_CONF} ${quote(save)}`] : []),
        `chmod 0644 ${STAGED}`,
        `mv -f ${STAGED} ${KEEPALIVED_CONF}`,
        // Only a running keepalived is reloaded (SIGHUP: the VRRP state is kept); the service task starts a stopped one.
        'systemctl try-reload-or-restart keepalived',
      ],
      record: { 'keepalived.conf': found === 'lab' ? 'absent' : found },
      diff: fileDiff(KEEPALIVED_CONF, cur, want),
    };
    return [change];
  },
  down(_task, ctx) {
    const cur = ctx.facts.files.get(KEEPALIVED_CONF);
    const was = ctx.facts.state.get('keepalived.conf');
    if (!cur || was === undefined) return [];
    const save = savedConf(ctx.lab);
    if (was === 'saved') return [{ title: `put back the ${KEEPALIVED_CONF} lab found`, commands: [`if [ -e ${quote(save)} ]; then mv -f ${quote(save)} ${KEEPALIVED_CONF}; fi`] }];
    return [{ title: `remove ${KEEPALIVED_CONF}`, commands: [`rm -f ${KEEPALIVED_CONF}`] }];
  },
};
