// What goes into the Debian 12 base image; its hash names the image's cache folder.
import { createHash } from 'node:crypto';
import { ENABLED_UNITS, guestFiles, MASKED_GENERATORS, MASKED_UNITS, UPDATE_DONE_STAMP } from './guest-files.js';

export const RECIPE = {
  /** Bump when the build steps change in a way the lists below do not show. */
  version: 1,
  suite: 'bookworm',
  variant: 'minbase',
  include: [
    'linux-image-amd64', 'systemd', 'systemd-sysv', 'dbus', 'libpam-systemd', 'udev',
    'openssh-server', 'network-manager', 'firewalld', 'curl', 'iproute2', 'sudo', 'kmod',
    'procps', 'iputils-ping', 'ca-certificates', 'python3', 'python3-apt',
    // /etc/protocols and /etc/services: firewalld refuses to start without them.
    'netbase',
  ],
  /** Not installed: offered offline by the image's local apt repository. */
  repoPackages: ['apache2', 'ipvsadm', 'keepalived', 'tcpdump'],
  /** dpkg path filters: no docs, man pages or translations in the guests. */
  dpkgExcludes: ['/usr/share/man/*', '/usr/share/doc/*', '/usr/share/locale/*', '/usr/share/info/*'],
  diskSize: '4G',
  masked: MASKED_UNITS,
  maskedGenerators: MASKED_GENERATORS,
  updateDone: UPDATE_DONE_STAMP,
  enabled: ENABLED_UNITS,
} as const;

/** A short hex digest over the recipe and every file the build writes into the guest. */
export function recipeHash(): string {
  const json = JSON.stringify({ ...RECIPE, files: guestFiles() });
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}
