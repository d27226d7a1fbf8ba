// Computes the ipvsadm operations that turn the live IPVS table into the desired one, touching nothing else.
import { normalizeService, realKey, sameList, serviceKey, type IpvsReal, type IpvsService } from './model.js';

export type IpvsOp =
  | { op: 'add-service'; service: IpvsService }
  | { op: 'edit-service'; service: IpvsService; from: IpvsService }
  | { op: 'delete-service'; service: IpvsService }
  | { op: 'add-real'; service: IpvsService; real: IpvsReal }
  | { op: 'edit-real'; service: IpvsService; real: IpvsReal; from: IpvsReal }
  | { op: 'delete-real'; service: IpvsService; real: IpvsReal };

export interface DiffOptions {
  /** Also delete services that are present but not desired (default false: see extraServices). */
  prune?: boolean;
}

function sameServiceSettings(a: IpvsService, b: IpvsService): boolean {
  return a.scheduler === b.scheduler && a.persistence === b.persistence && a.netmask === b.netmask && sameList(a.options, b.options);
}

function sameRealSettings(a: IpvsReal, b: IpvsReal): boolean {
  return a.weight === b.weight && a.forwarding === b.forwarding && sameList(a.options, b.options);
}

function indexByKey(services: IpvsService[], what: string): Map<string, IpvsService> {
  const map = new Map<string, IpvsService>();
  for (const s of services) {
    const key = serviceKey(s);
    if (map.has(key)) throw new Error(`${what} IPVS services list ${key} twice`);
    map.set(key, s);
  }
  return map;
}

/**
 * The operations, in the order to run them, that make `actual` hold `desired`:
 * pruned services first (only with `prune`), then each desired service in desired order — a missing service is
 * added followed by its reals; an existing one gets an edit-service when scheduler/persistence/netmask/options
 * differ, then delete-real for reals not desired (in actual order), then add-real / edit-real in desired order.
 * Services present but not desired are left alone unless `prune`. Equal tables give [].
 * Desired services are normalized first (dr/tun reals take the service port, as ipvsadm forces).
 */
export function diffIpvs(desired: IpvsService[], actual: IpvsService[], opts: DiffOptions = {}): IpvsOp[] {
  const want = desired.map(normalizeService);
  indexByKey(want, 'desired');
  const have = indexByKey(actual.map(normalizeService), 'actual');
  const ops: IpvsOp[] = [];

  if (opts.prune) {
    for (const s of extraServices(want, actual)) ops.push({ op: 'delete-service', service: s });
  }

  for (const d of want) {
    const a = have.get(serviceKey(d));
    if (!a) {
      ops.push({ op: 'add-service', service: d });
      for (const real of d.reals) ops.push({ op: 'add-real', service: d, real });
      continue;
    }
    if (!sameServiceSettings(d, a)) ops.push({ op: 'edit-service', service: d, from: a });
    const wanted = new Set(d.reals.map(realKey));
    for (const real of a.reals) {
      if (!wanted.has(realKey(real))) ops.push({ op: 'delete-real', service: d, real });
    }
    const present = new Map(a.reals.map((r) => [realKey(r), r]));
    const seen = new Set<string>();
    for (const real of d.reals) {
      const key = realKey(real);
      if (seen.has(key)) throw new Error(`desired IPVS service ${serviceKey(d)} lists real server ${key} twice`);
      seen.add(key);
      const from = present.get(key);
      if (!from) ops.push({ op: 'add-real', service: d, real });
      else if (!sameRealSettings(real, from)) ops.push({ op: 'edit-real', service: d, real, from });
    }
  }
  return ops;
}

/** Services present in `actual` but not in `desired` (in actual order): the "extra rules" to report. */
export function extraServices(desired: IpvsService[], actual: IpvsService[]): IpvsService[] {
  const wanted = new Set(desired.map(serviceKey));
  return actual.filter((s) => !wanted.has(serviceKey(s)));
}
