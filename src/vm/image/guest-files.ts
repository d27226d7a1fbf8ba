// Files written into the base image: boot-time key install from fw_cfg, sshd, apt, fstab, initramfs.

export interface GuestFile {
  content: string;
  mode: number;
}

/** The folder of the offline apt repository inside the image. */
export const LOCAL_REPO = '/srv/lab-repo';

/**
 * Installs the lab's keys at every boot from qemu fw_cfg blobs (opt/lab/*), so the shared base image
 * holds no key at all: the client public key, and this VM's own ed25519 host key pair.
 */
const LAB_KEYS_SCRIPT = `#!/bin/sh
# Install this VM's SSH keys from qemu fw_cfg (opt/lab/*), written by \`lab vm\` on the host.
set -eu
modprobe qemu_fw_cfg 2>/dev/null || true
d=/sys/firmware/qemu_fw_cfg/by_name/opt/lab
for i in 1 2 3 4 5 6 7 8 9 10; do [ -d "$d" ] && break; sleep 0.2; done
if [ ! -d "$d" ]; then echo "lab-keys: no fw_cfg blobs under $d" >&2; exit 1; fi
umask 077
install -d -m 700 /root/.ssh
cat "$d/authorized_keys/raw" > /root/.ssh/authorized_keys
cat "$d/ssh_host_ed25519_key/raw" > /etc/ssh/ssh_host_ed25519_key
umask 022
cat "$d/ssh_host_ed25519_key.pub/raw" > /etc/ssh/ssh_host_ed25519_key.pub
name=$(hostname)
grep -q "[[:space:]]$name\\$" /etc/hosts || printf '127.0.1.1\\t%s\\n' "$name" >> /etc/hosts
`;

const LAB_KEYS_UNIT = `[Unit]
Description=Install lab SSH keys from qemu fw_cfg
DefaultDependencies=no
After=local-fs.target systemd-remount-fs.service
Before=ssh.service sysinit.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/lab-keys

[Install]
WantedBy=sysinit.target
`;

const SSHD_CONF = `# lab: only the ed25519 host key that lab-keys installs at boot; keys only.
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
PrintMotd no
PrintLastLog no
`;

/**
 * sshd's PAM stack without pam_systemd, pam_motd and pam_mail. Under emulation pam_systemd starts a systemd user
 * manager (user@0.service) for the first session of a connection, which cost 5 to 15 s per `lab` run and host,
 * and pam_motd runs the update-motd scripts on every login. Neither is part of what a lab exercises.
 */
const PAM_SSHD = `# lab: see guest-files.ts for why this differs from Debian's.
@include common-auth
account    required     pam_nologin.so
@include common-account
session    required     pam_loginuid.so
session    optional     pam_keyinit.so force revoke
session    required     pam_unix.so
session    required     pam_limits.so
session    required     pam_env.so
session    required     pam_env.so user_readenv=1 envfile=/etc/default/locale
@include common-password
`;

const INITRAMFS_CONF = `# lab: a small initrd with only what a virtio guest needs to mount its root.
MODULES=list
`;

const INITRAMFS_MODULES = `virtio_pci
virtio_blk
virtio_net
ext4
crc32c_generic
`;

const HOSTS = `127.0.0.1\tlocalhost
::1\tlocalhost ip6-localhost ip6-loopback
ff02::1\tip6-allnodes
ff02::2\tip6-allrouters
`;

export function guestFiles(): Record<string, GuestFile> {
  return {
    '/usr/local/sbin/lab-keys': { content: LAB_KEYS_SCRIPT, mode: 0o755 },
    '/etc/systemd/system/lab-keys.service': { content: LAB_KEYS_UNIT, mode: 0o644 },
    '/etc/ssh/sshd_config.d/lab.conf': { content: SSHD_CONF, mode: 0o644 },
    '/etc/pam.d/sshd': { content: PAM_SSHD, mode: 0o644 },
    '/etc/fstab': { content: '/dev/vda / ext4 defaults,noatime 0 1\n', mode: 0o644 },
    '/etc/hosts': { content: HOSTS, mode: 0o644 },
    '/etc/default/locale': { content: 'LANG=C.UTF-8\n', mode: 0o644 },
    '/etc/initramfs-tools/conf.d/lab.conf': { content: INITRAMFS_CONF, mode: 0o644 },
    '/etc/initramfs-tools/conf.d/resume': { content: 'RESUME=none\n', mode: 0o644 },
    '/etc/initramfs-tools/modules': { content: INITRAMFS_MODULES, mode: 0o644 },
    '/etc/apt/sources.list': { content: `deb [trusted=yes] file:${LOCAL_REPO} ./\n`, mode: 0o644 },
    '/etc/systemd/journald.conf.d/lab.conf': { content: '[Journal]\nStorage=volatile\nRuntimeMaxUse=32M\n', mode: 0o644 },
    '/etc/apt/apt.conf.d/90lab': { content: 'APT::Install-Recommends "false";\nAPT::Periodic::Enable "0";\n', mode: 0o644 },
  };
}

/** Units that cost boot time or wake up later, and that a lab VM does not need. */
export const MASKED_UNITS = [
  'apt-daily.timer',
  'apt-daily-upgrade.timer',
  'apt-daily.service',
  'apt-daily-upgrade.service',
  'dpkg-db-backup.timer',
  'e2scrub_all.timer',
  'e2scrub_reap.service',
  'fstrim.timer',
  'man-db.timer',
  'NetworkManager-wait-online.service',
  'systemd-networkd-wait-online.service',
  'systemd-pstore.service',
  'systemd-firstboot.service',
  'getty@tty1.service',
  'systemd-binfmt.service',
  'proc-sys-fs-binfmt_misc.automount',
  'modprobe@drm.service',
  'dev-hugepages.mount',
  'sys-kernel-debug.mount',
  'sys-kernel-tracing.mount',
  'sys-fs-fuse-connections.mount',
];

/** systemd generators a lab VM has no use for (no LUKS, verity, GPT auto-mounts, hibernation, boot counting). */
export const MASKED_GENERATORS = [
  'systemd-gpt-auto-generator',
  'systemd-cryptsetup-generator',
  'systemd-veritysetup-generator',
  'systemd-integritysetup-generator',
  'systemd-hibernate-resume-generator',
  'systemd-bless-boot-generator',
  'systemd-system-update-generator',
];

/** Written last: tells ConditionNeedsUpdate= units (sysusers) that /etc and /var are current, so no VM redoes them at boot. */
export const UPDATE_DONE_STAMP = '# Written by the lab image build, like systemd-update-done: /etc and /var match /usr.\n';

export const ENABLED_UNITS = ['lab-keys.service', 'ssh.service', 'NetworkManager.service', 'firewalld.service'];
