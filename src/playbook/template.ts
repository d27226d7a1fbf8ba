// The playbook's {templates}: what they can name, and filling them (an unknown name is an error that lists the known ones).
import { UsageError } from '../errors.js';
import { t } from '../i18n/index.js';
import type { TemplateVars } from '../modules/types.js';
import type { Host, Lab } from '../spec/schema.js';
import { directorOf } from '../spec/services.js';

export type { TemplateVars } from '../modules/types.js';

/**
 * {host} the host's name, {docroot} its OS's web root, {address} its first lab address, {address.NETWORK} its address on
 * each network; for the first service it directs or serves: {vip}, {port} (a real server's own port when the spec gives
 * one), {director}.
 */
export function templateVars(hostName: string, host: Host, docroot: string, lab?: Lab): TemplateVars {
  const vars: TemplateVars = { host: hostName, docroot };
  const addrs = Object.entries(host.interfaces);
  if (addrs[0]) vars.address = addrs[0][1];
  for (const [net, ip] of addrs) vars[`address.${net}`] = ip;
  const svc = lab?.services.find((s) => directorOf(lab, s) === hostName || s.real_servers.some((r) => r.host === hostName));
  // {port} is where this host takes the service's connections: a real server's own port when the spec gives one.
  const rs = svc?.real_servers.find((r) => r.host === hostName);
  if (lab && svc) Object.assign(vars, { vip: svc.vip, port: String(rs?.port ?? svc.port), director: directorOf(lab, svc) ?? '' });
  return vars;
}

export function fill(text: string, vars: TemplateVars): string {
  return text.replace(/\{([a-z][a-z0-9.-]*)\}/g, (whole, key: string) => {
    const v = vars[key];
    if (v === undefined)
      throw new UsageError(`playbook: ${t('playbook.unknownTemplate', { template: `{${key}}`, known: Object.keys(vars).map((k) => `{${k}}`).join(', ') })}`);
    return v;
  });
}
