// The roster file's shape: shared defaults, then per student how to reach each of the lab's hosts.
import { z } from 'zod';
import { namedRecord } from '../spec/records.js';

const portNumber = z.preprocess(
  (v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v),
  z.number({ error: 'expected a port number' }).int().min(1, { error: 'expected a port from 1 to 65535' }).max(65535, { error: 'expected a port from 1 to 65535' }),
);
const flag = z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean({ error: 'expected true or false' }));
const hint = z.strictObject({
  mac: z.string().regex(/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/, { error: 'expected a MAC address like 52:54:00:12:34:56' }).optional(),
  device: z.string().min(1).optional(),
});

/** How to log in: shared by defaults, a student, and a host (the most specific wins). */
const access = {
  port: portNumber.optional(),
  user: z.string().min(1).optional(),
  identity_file: z.string().min(1).optional().describe('Private key file; relative paths are from the roster\'s folder.'),
  password: z.string().optional().describe('Login (and sudo) password; write ${VAR} to take it from the environment.'),
  agent: flag.optional().describe('Use the SSH agent in $SSH_AUTH_SOCK.'),
  sudo: flag.optional().describe('Run commands through sudo (default: when the user is not root).'),
  known_hosts: z.string().min(1).optional().describe('known_hosts file holding the hosts\' keys; relative to the roster.'),
};

export const rosterHostSchema = z.strictObject({
  address: z.string().min(1, { error: 'expected an address or host name' }),
  ...access,
  interfaces: namedRecord(z.string(), hint).optional().describe('Lab network → which NIC (mac or device) it is on this host.'),
  management: hint.optional().describe('The NIC that carries SSH; never re-addressed.'),
});

const studentName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, { error: 'expected a student name of letters, digits, dot, dash or underscore' });

export const studentSchema = z.strictObject({
  ...access,
  hosts: namedRecord(z.string(), rosterHostSchema).describe('Lab host name → how to reach this student\'s copy of it.'),
});

export const rosterSchema = z.strictObject({
  $schema: z.string().optional(),
  lab: z.string().optional().describe('The lab this roster is for; `lab` refuses to use it with another.'),
  defaults: z.strictObject(access).optional(),
  students: namedRecord(studentName, studentSchema).refine((s) => Object.keys(s).length > 0, { error: 'expected at least one student' }),
});

export type RosterFile = z.output<typeof rosterSchema>;
export type RosterHost = z.output<typeof rosterHostSchema>;
export type RosterStudent = z.output<typeof studentSchema>;

/** The keys a roster allows at a path, for "unknown key" messages. */
export function allowedKeysAt(path: readonly PropertyKey[]): string[] {
  const keys = (o: { shape: object }) => Object.keys(o.shape);
  if (path.length === 0) return keys(rosterSchema);
  if (path[0] === 'defaults') return Object.keys(access);
  if (path.length === 2) return keys(studentSchema);
  if (path.length === 4) return keys(rosterHostSchema);
  return keys(hint);
}
