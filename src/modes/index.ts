// The forwarding modes by name: the rules, the modules and verify ask the service's mode instead of testing its name.
import type { Forwarding } from '../ipvs/model.js';
import type { Service } from '../spec/schema.js';
import { dr } from './dr.js';
import { nat } from './nat.js';
import { tun } from './tun.js';
import type { Mode } from './types.js';

export const MODES: Record<Forwarding, Mode> = { nat, dr, tun };

export function modeOf(svc: Pick<Service, 'forwarding'>): Mode {
  return MODES[svc.forwarding];
}

export type { Mode, RealServerNeeds, ServiceHosts, VipDevice } from './types.js';
