// service: started and enabled with systemctl; down stops it and restores whether it was enabled.
import { z } from 'zod';
import { quote } from '../ssh/quote.js';
import type { Module } from './types.js';

export interface ServiceTask {
  name: string;
  started: boolean;
  enabled: boolean;
}

export const serviceModule: Module<ServiceTask> = {
  key: 'service',
  schema: z.strictObject({ name: z.string().min(1), started: z.boolean().default(true), enabled: z.boolean().default(true) }),
  bind: (raw: ServiceTask) => raw,
  names: (t) => ({ services: [t.name] }),
  label: (t) => `service ${t.name}`,
  desired: (t) => [`service:${t.name}${t.started ? '' : ':stopped'}`],
  plan(task, { facts, os }) {
    const unit = os.services[task.name] ?? task.name;
    const cur = facts.services.get(unit);
    const record = { [`service.${unit}`]: cur?.loaded ? (cur.enabled ? 'enabled' : 'disabled') : 'absent' };
    if (!cur?.loaded) {
      // Not installed yet when the facts were read: its package, earlier in the run, may enable and start it (Debian
      // does), and a redundant `systemctl enable` of a unit with an init script runs update-rc.d, seconds under emulation.
      const cmds = [
        ...(task.enabled ? [`systemctl is-enabled -q ${quote(unit)} || systemctl enable ${quote(unit)}`] : []),
        ...(task.started ? [`systemctl is-active -q ${quote(unit)} || systemctl start ${quote(unit)}`] : []),
      ];
      return cmds.length > 0 ? [{ title: `${[task.enabled && 'enable', task.started && 'start'].filter(Boolean).join(' and ')} ${unit} once installed`, commands: cmds, record }] : [];
    }
    // started: false / enabled: false ask for it stopped / disabled (a router's firewalld, whose conntrack would call
    // replies that bypass the director invalid).
    if (!task.started && cur.active) return [{ title: `${!task.enabled && cur.enabled ? 'stop and disable' : 'stop'} ${unit}`, commands: [`systemctl ${!task.enabled && cur.enabled ? 'disable --now' : 'stop'} ${quote(unit)}`], record: { ...record, [`service.${unit}.active`]: 'yes' } }];
    if (!task.enabled && cur.enabled) return [{ title: `disable ${unit}`, commands: [`systemctl disable ${quote(unit)}`], record }];
    const start = task.started && !cur.active;
    const enable = task.enabled && !cur.enabled;
    if (start && enable) return [{ title: `enable and start ${unit}`, commands: [`systemctl enable --now ${quote(unit)}`], record }];
    if (start) return [{ title: `start ${unit}`, commands: [`systemctl start ${quote(unit)}`], record }];
    if (enable) return [{ title: `enable ${unit}`, commands: [`systemctl enable ${quote(unit)}`], record }];
    return [];
  },
  down(task, { facts, os }) {
    const unit = os.services[task.name] ?? task.name;
    const cur = facts.services.get(unit);
    if (!cur?.loaded) return [];
    const changes = [];
    if (!task.started) {
      // It was stopped (and perhaps disabled) by up: start (and enable) it again as found.
      const wasEnabled = facts.state.get(`service.${unit}`) === 'enabled';
      if (facts.state.get(`service.${unit}.active`) === 'yes' && !cur.active) changes.push({ title: `start ${unit} again`, commands: [`systemctl ${wasEnabled && !cur.enabled ? 'enable --now' : 'start'} ${quote(unit)}`] });
      else if (wasEnabled && !cur.enabled) changes.push({ title: `enable ${unit} again`, commands: [`systemctl enable ${quote(unit)}`] });
      return changes;
    }
    if (cur.active) changes.push({ title: `stop ${unit}`, commands: [`systemctl stop ${quote(unit)}`] });
    const was = facts.state.get(`service.${unit}`);
    if (cur.enabled && was !== undefined && was !== 'enabled') changes.push({ title: `disable ${unit}`, commands: [`systemctl disable ${quote(unit)}`] });
    return changes;
  },
};
