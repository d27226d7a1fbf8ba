// The lab spec's `start:` section: the state `lab reset` leaves, checked against facts.
import { z } from 'zod';
import { namedRecord } from './records.js';

export const startSchema = z
  .strictObject({
    description: z.string().optional().describe('In words, e.g. "addresses assigned, nothing else".'),
    addresses: z
      .enum(['assigned', 'absent', 'any'])
      .default('any')
      .describe('assigned: every host holds its lab addresses (and gateway), and reset puts them there; absent: none holds them; any: not checked.'),
    sysctl: namedRecord(z.string().regex(/^[a-z0-9_.-]+$/), z.union([z.string(), z.number()]).transform(String))
      .optional()
      .describe('Kernel settings at the start, e.g. net.ipv4.ip_forward: 0.'),
    services: namedRecord(z.string().min(1), z.enum(['running', 'stopped']))
      .optional()
      .describe('Logical service name → its state at the start; the playbook\'s services are otherwise expected stopped.'),
  })
  .describe('Where the course starts and `lab reset` leaves the hosts. Beyond what it lists: no lab state file, no lab virtual service, none of the playbook\'s files.');

export type Start = z.output<typeof startSchema>;

/** A lab without `start:`: only "nothing of lab left" is checked. */
export const DEFAULT_START: Start = { addresses: 'any' };

/** The lab's start section, or the default when the spec has none. */
export function startOf(lab: { start?: Start }): Start {
  return lab.start ?? DEFAULT_START;
}
