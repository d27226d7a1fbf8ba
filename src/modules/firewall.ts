// firewall: firewalld's default zone, runtime and permanent; skipped where firewalld is not running.
import { quote } from '../ssh/quote.js';
import type { Module } from './types.js';

export interface FirewallTask {
  defaultZone: string;
}

export const firewallModule: Module<FirewallTask> = {
  facts: ['firewallZone'],
  label: (t) => `firewall zone ${t.defaultZone}`,
  plan(task, { facts }) {
    const cur = facts.firewallZone;
    if (cur === undefined || cur === task.defaultZone) return [];
    return [
      {
        title: `default zone ${task.defaultZone} (was ${cur})`,
        commands: [`firewall-cmd --set-default-zone=${quote(task.defaultZone)}`],
        record: { 'firewall.zone': cur },
      },
    ];
  },
  down(_task, { facts }) {
    const was = facts.state.get('firewall.zone');
    if (!was || facts.firewallZone === undefined || facts.firewallZone === was) return [];
    return [{ title: `default zone back to ${was}`, commands: [`firewall-cmd --set-default-zone=${quote(was)}`] }];
  },
};
