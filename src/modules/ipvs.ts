// ipvs: the spec's virtual services on the director, applied as the difference from `ipvsadm -Sn` (never -C), and persisted for boot.
import { z } from 'zod';
import { diffIpvs, formatOp, parseIpvsSave, renderSave, serviceKey, serviceLabel, type IpvsOp, type IpvsService } from '../ipvs/index.js';
import { RunError } from '../errors.js';
import { modeOf } from '../modes/index.js';
import { directorOf, vrrpOf } from '../spec/services.js';
import type { Lab, Service } from '../spec/schema.js';
import { quote, sh } from '../ssh/quote.js';
import { writeChange } from './file.js';
import type { Change, HostContext, Module } from './types.js';

/**
 * Everything comes from the lab spec. `scope` splits the table the way the course note builds it by hand: `services`
 * is `ipvsadm -A` (each virtual service, its scheduler and persistence), `reals` is `ipvsadm -a` (its real servers) and
 * the table saved for boot. A role with a `reals` task has a `services` task before it; without scope, one task does all.
 */
export interface IpvsTask {
  scope?: 'services' | 'reals';
}

const SERVICE_OPS: readonly IpvsOp['op'][] = ['add-service', 'edit-service', 'delete-service'];

const RULE_FILES = ['/etc/ipvsadm.rules', '/etc/sysconfig/ipvsadm', '/etc/default/ipvsadm'];

/** A service's IPVS virtual server as `director` holds it, each real server at the address its mode reaches it on. */
export function ipvsService(lab: Lab, s: Service, director: string): IpvsService {
  return {
    protocol: s.protocol,
    vip: s.vip,
    port: s.port,
    scheduler: s.scheduler,
    ...(s.persistence !== undefined ? { persistence: s.persistence } : {}),
    reals: s.real_servers.map((rs) => ({ address: modeOf(s).realServerAddress(lab, director, rs.host)!.ip, port: rs.port ?? s.port, forwarding: s.forwarding, weight: rs.weight })),
  };
}

/** The services this host directs with ipvsadm: not those of a VRRP group, whose table keepalived loads. */
export function desiredServices(lab: Lab, hostName: string): IpvsService[] {
  return lab.services.filter((s) => !vrrpOf(lab, s.vip) && directorOf(lab, s) === hostName).map((s) => ipvsService(lab, s, hostName));
}

function liveTable(ctx: HostContext): IpvsService[] {
  if (!ctx.facts.ipvs.installed) return [];
  try {
    return parseIpvsSave(ctx.facts.ipvs.save);
  } catch (e) {
    throw new RunError(`cannot read the IPVS table (ipvsadm -Sn): ${(e as Error).message}`, ctx.hostName);
  }
}

function autoLine(ctx: HostContext, file: string): string | undefined {
  const text = ctx.facts.files.get(file)?.content.toString('utf8');
  return text === undefined ? undefined : (/^AUTO=(.*)$/m.exec(text)?.[1] ?? '');
}

function planBoot(ctx: HostContext, desired: IpvsService[]): Change[] {
  const { rulesFile, defaultsFile, bootService } = ctx.os.ipvs;
  const changes: Change[] = [];
  const want = renderSave(desired);
  const cur = ctx.facts.files.get(rulesFile)?.content;
  if (cur?.toString('utf8') !== want) changes.push(writeChange(`save the table to ${rulesFile} for boot`, rulesFile, cur, want));
  if (defaultsFile) {
    const auto = autoLine(ctx, defaultsFile);
    if (auto !== '"true"')
      changes.push({
        title: `load ${rulesFile} at boot (AUTO="true" in ${defaultsFile})`,
        commands: [`if grep -q '^AUTO=' ${defaultsFile}; then sed -i 's/^AUTO=.*/AUTO="true"/' ${defaultsFile}; else echo 'AUTO="true"' >> ${defaultsFile}; fi`],
        record: { 'ipvs.auto': auto ?? '' },
      });
  } else if (!ctx.facts.services.get(bootService)?.enabled) {
    changes.push({ title: `enable ${bootService}.service`, commands: [sh`systemctl enable ${bootService}`], record: { 'ipvs.service': 'disabled' } });
  }
  return changes;
}

function opTitle(op: IpvsOp): string {
  const svc = serviceLabel(op.service);
  if (op.op === 'add-service' || op.op === 'delete-service') return `${op.op.split('-')[0]} service ${svc} (${op.service.scheduler})`;
  if (op.op === 'edit-service') return `service ${svc}: scheduler ${op.from.scheduler} → ${op.service.scheduler}`;
  const real = `${op.real.address}:${op.real.port}`;
  if (op.op === 'edit-real') return `${real} in ${svc}: ${op.from.forwarding} weight ${op.from.weight} → ${op.real.forwarding} weight ${op.real.weight}`;
  return `${op.op === "add-real" ? "add" : "delete"} real server ${real} ${op.op === "add-real" ? "to" : "from"} ${svc} (${op.real.forwarding}, weight ${op.real.weight})`;
}

export const ipvsModule: Module<IpvsTask> = {
  key: 'ipvs',
  schema: z.strictObject({ scope: z.enum(['services', 'reals']).optional() }),
  bind: (raw: IpvsTask) => (raw.scope ? { scope: raw.scope } : {}),
  // Its boot service's state decides whether planBoot enables it.
  names: () => ({ services: ['ipvsadm'] }),
  facts: ['ipvs'],
  label: (t) => (t.scope === 'services' ? 'ipvs services' : t.scope === 'reals' ? 'ipvs real servers' : 'ipvs'),
  desired: () => ['ipvs'],
  files: () => RULE_FILES,
  plan(task, ctx) {
    const desired = desiredServices(ctx.lab, ctx.hostName);
    if (desired.length === 0) return [];
    const live = liveTable(ctx);
    if (task.scope === 'services') {
      // The services as the spec has them, holding whatever real servers they hold now: the next step adds those.
      const services = desired.map((d) => ({ ...d, reals: live.find((l) => serviceKey(l) === serviceKey(d))?.reals ?? [] }));
      return diffIpvs(services, live)
        .filter((op) => SERVICE_OPS.includes(op.op))
        .map((op) => ({ title: opTitle(op), commands: [formatOp(op)] }));
    }
    // With a `services` task before it in the same run, the services are its to add (the facts predate both).
    const ops = diffIpvs(desired, live).filter((op) => task.scope !== 'reals' || !SERVICE_OPS.includes(op.op));
    const changes: Change[] = ops.map((op) => ({ title: opTitle(op), commands: [formatOp(op)] }));
    return [...changes, ...planBoot(ctx, desired)];
  },
  down(task, ctx) {
    const desired = new Set(desiredServices(ctx.lab, ctx.hostName).map(serviceKey));
    const changes: Change[] = liveTable(ctx)
      .filter((s) => desired.has(serviceKey(s)))
      .map((s) => ({ title: `delete ${serviceKey(s)}`, commands: [formatOp({ op: 'delete-service', service: s })] }));
    // The `reals` task's services go with the `services` task's down (deleting a service drops its real servers).
    if (task.scope === 'reals') changes.length = 0;
    if (task.scope === 'services') return changes;
    const { rulesFile, defaultsFile, bootService } = ctx.os.ipvs;
    if (ctx.facts.files.get(rulesFile)) changes.push({ title: `remove ${rulesFile}`, commands: [`rm -f ${quote(rulesFile)}`] });
    const auto = ctx.facts.state.get('ipvs.auto');
    if (defaultsFile && auto !== undefined && autoLine(ctx, defaultsFile) !== auto)
      changes.push({ title: `AUTO=${auto || '(unset)'} again`, commands: [`sed -i ${quote(`s/^AUTO=.*/AUTO=${auto || '"false"'}/`)} ${defaultsFile}`] });
    if (ctx.facts.state.get('ipvs.service') === 'disabled' && ctx.facts.services.get(bootService)?.enabled)
      changes.push({ title: `disable ${bootService}.service`, commands: [sh`systemctl disable ${bootService}`] });
    return changes;
  },
};
