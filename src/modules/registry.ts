// Every module, by its playbook key. A new module is one file and one line here; the playbook schema and bind follow.
import { connectionModule } from './connection.js';
import { fileModule } from './file.js';
import { firewallModule } from './firewall.js';
import { forwardingModule } from './forwarding.js';
import { ipvsModule } from './ipvs.js';
import { keepalivedModule } from './keepalived.js';
import { kmodModule } from './kmod.js';
import { listenModule } from './listen.js';
import { packageModule } from './package.js';
import { selinuxModule } from './selinux.js';
import { serviceModule } from './service.js';
import { sysctlModule } from './sysctl.js';
import type { Module } from './types.js';

export const MODULES: readonly Module<unknown>[] = [
  packageModule,
  fileModule,
  serviceModule,
  listenModule,
  sysctlModule,
  connectionModule,
  firewallModule,
  selinuxModule,
  ipvsModule,
  kmodModule,
  forwardingModule,
  keepalivedModule,
] as Module<unknown>[];

export function moduleFor(key: string): Module<unknown> | undefined {
  return MODULES.find((m) => m.key === key);
}
