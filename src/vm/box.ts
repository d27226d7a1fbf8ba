// `lab vm box`: a local vagrant-libvirt box made from the `lab vm` image, for the Vagrant tests and for anyone
// without access to a box registry. The image's disk is copied and edited in place with debugfs (no mounts, no
// boot): a `vagrant` user with Vagrant's insecure key and passwordless sudo, and host keys made at first boot
// instead of `lab vm`'s fw_cfg blobs.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { dirname, join, resolve } from 'node:path';
import { RunError, UsageError } from '../errors.js';
import { t } from '../i18n/index.js';
import { ensureImage } from './image/build.js';
import { recipeHash, RECIPE } from './image/recipe.js';
import { resolveMirror } from './mirror.js';
import { labHome } from './paths.js';
import type { Progress } from './progress.js';
import { run } from './run.js';
import { requirePrograms } from './tools.js';

export const DEFAULT_BOX_NAME = 'lab/debian12';

/** Where Debian's and HashiCorp's vagrant packages keep the insecure public key that boxes authorize. */
const INSECURE_KEY_GLOBS = ['/usr/share/rubygems-integration/all/gems', '/opt/vagrant/embedded/gems/gems', '/opt/vagrant/embedded/gems/2.3.4/gems'];

export function findInsecureKey(): string | undefined {
  for (const dir of INSECURE_KEY_GLOBS) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).filter((n) => /^vagrant-\d/.test(n)).sort().reverse()) {
      const key = join(dir, name, 'keys', 'vagrant.pub');
      if (existsSync(key)) return key;
    }
  }
  return undefined;
}

const VAGRANT_UID = 1000;

/** Make this machine's host key on first boot; `lab vm` guests get theirs from fw_cfg instead. */
const BOX_KEYS_SCRIPT = `#!/bin/sh
# lab box: a Vagrant machine has no fw_cfg keys; make its own ed25519 host key once.
set -eu
[ -s /etc/ssh/ssh_host_ed25519_key ] || ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key
name=$(hostname)
grep -q "[[:space:]]$name\\$" /etc/hosts || printf '127.0.1.1\\t%s\\n' "$name" >> /etc/hosts
`;

const BOX_KEYS_DROPIN = `[Service]
ExecStart=
ExecStart=/usr/local/sbin/lab-box-keys
`;

/** The box's own Vagrantfile: boot the shipped kernel directly (the image has no bootloader). */
export const BOX_VAGRANTFILE = `# lab/debian12: the \`lab vm\` Debian 12 image as a vagrant-libvirt box (made by \`lab vm box\`).
Vagrant.configure('2') do |config|
  config.vm.provider :libvirt do |lv|
    lv.kernel = File.expand_path('vmlinuz', __dir__)
    lv.initrd = File.expand_path('initrd.img', __dir__)
    lv.cmd_line = 'root=/dev/vda rw console=ttyS0 quiet'
    lv.disk_bus = 'virtio'
  end
end
`;

export function boxMetadata(): string {
  const gib = Number(/^(\d+)G$/.exec(RECIPE.diskSize)?.[1] ?? 4);
  return `${JSON.stringify({ provider: 'libvirt', format: 'qcow2', virtual_size: gib })}\n`;
}

/** Append the vagrant user and group to passwd, shadow, group and gshadow, unless they have it already. */
export function withVagrantUser(files: { passwd: string; shadow: string; group: string; gshadow: string }): typeof files {
  const add = (text: string, line: string) => (text.split('\n').some((l) => l.startsWith('vagrant:')) ? text : `${text.replace(/\n*$/, '\n')}${line}\n`);
  if (files.passwd.split('\n').some((l) => l.split(':')[2] === String(VAGRANT_UID) && !l.startsWith('vagrant:')))
    throw new RunError(t('vm.uidTaken', { uid: VAGRANT_UID }));
  return {
    passwd: add(files.passwd, `vagrant:x:${VAGRANT_UID}:${VAGRANT_UID}:vagrant:/home/vagrant:/bin/bash`),
    // '*': no password login at all; Vagrant and lab use keys.
    shadow: add(files.shadow, 'vagrant:*:19000:0:99999:7:::'),
    group: add(files.group, `vagrant:x:${VAGRANT_UID}:`),
    gshadow: add(files.gshadow, 'vagrant:!::'),
  };
}

function gidOf(group: string, name: string): number {
  const line = group.split('\n').find((l) => l.startsWith(`${name}:`));
  const gid = Number(line?.split(':')[2]);
  if (!Number.isInteger(gid)) throw new RunError(t('vm.noGroup', { group: name }));
  return gid;
}

/** debugfs commands that write the box's changes; `src(name)` is the host file holding a new file's content. */
export function debugfsScript(src: (name: string) => string, shadowGid: number): string {
  const u = VAGRANT_UID;
  const own = (path: string, mode: string, uid = 0, gid = 0) => [`sif ${path} mode ${mode}`, `sif ${path} uid ${uid}`, `sif ${path} gid ${gid}`];
  const replace = (path: string, name: string, mode: string, gid = 0) => [`rm ${path}`, `write ${src(name)} ${path}`, ...own(path, mode, 0, gid)];
  return [
    ...replace('/etc/passwd', 'passwd', '0100644'),
    ...replace('/etc/group', 'group', '0100644'),
    ...replace('/etc/shadow', 'shadow', '0100640', shadowGid),
    ...replace('/etc/gshadow', 'gshadow', '0100640', shadowGid),
    'mkdir /home/vagrant',
    ...own('/home/vagrant', '040755', u, u),
    'mkdir /home/vagrant/.ssh',
    ...own('/home/vagrant/.ssh', '040700', u, u),
    `write ${src('authorized_keys')} /home/vagrant/.ssh/authorized_keys`,
    ...own('/home/vagrant/.ssh/authorized_keys', '0100600', u, u),
    `write ${src('sudoers')} /etc/sudoers.d/vagrant`,
    ...own('/etc/sudoers.d/vagrant', '0100440'),
    `write ${src('lab-box-keys')} /usr/local/sbin/lab-box-keys`,
    ...own('/usr/local/sbin/lab-box-keys', '0100755'),
    'mkdir /etc/systemd/system/lab-keys.service.d',
    `write ${src('box.conf')} /etc/systemd/system/lab-keys.service.d/box.conf`,
    ...own('/etc/systemd/system/lab-keys.service.d/box.conf', '0100644'),
  ].join('\n');
}

export interface BoxOptions {
  out?: string;
  mirror?: string;
  /** Also `vagrant box add --force --name NAME` it. */
  add?: boolean;
  name?: string;
  progress: Progress;
}

export interface BoxResult {
  file: string;
  name: string;
  added: boolean;
  seconds: number;
}

/** Named after the image recipe and everything this file adds, so a changed box is never taken from the cache. */
export function defaultBoxPath(): string {
  const adds = createHash('sha256')
    .update([BOX_KEYS_SCRIPT, BOX_KEYS_DROPIN, BOX_VAGRANTFILE, boxMetadata(), debugfsScript((n) => n, 0)].join('\0'))
    .digest('hex')
    .slice(0, 8);
  return join(labHome(), 'boxes', `lab-debian12-${recipeHash()}-${adds}.box`);
}

async function debugfsCat(disk: string, path: string): Promise<string> {
  return run('debugfs', ['-R', `cat ${path}`, disk]);
}

export async function buildBox(opts: BoxOptions): Promise<BoxResult> {
  const started = Date.now();
  requirePrograms(['debugfs', 'qemu-img', 'tar'], t('vm.purposeBox'));
  const key = findInsecureKey();
  if (!key) throw new UsageError(t('vm.noVagrantKey'));
  const file = resolve(opts.out ?? defaultBoxPath());
  const name = opts.name ?? DEFAULT_BOX_NAME;
  if (!existsSync(file)) {
    const image = await ensureImage({ mirror: () => resolveMirror(opts.mirror), progress: opts.progress });
    const tmp = `${file}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(join(tmp, 'files'), { recursive: true });
    try {
      const raw = join(tmp, 'disk.raw');
      opts.progress.step(t('vm.copyingImage', { image: image.base }));
      await run('cp', ['--sparse=always', image.base, raw]);
      const current = {
        passwd: await debugfsCat(raw, '/etc/passwd'),
        shadow: await debugfsCat(raw, '/etc/shadow'),
        group: await debugfsCat(raw, '/etc/group'),
        gshadow: await debugfsCat(raw, '/etc/gshadow'),
      };
      const users = withVagrantUser(current);
      const src = (n: string) => join(tmp, 'files', n);
      for (const [n, text] of Object.entries({
        ...users,
        authorized_keys: await readFile(key, 'utf8'),
        sudoers: 'vagrant ALL=(ALL) NOPASSWD: ALL\n',
        'lab-box-keys': BOX_KEYS_SCRIPT,
        'box.conf': BOX_KEYS_DROPIN,
      }))
        await writeFile(src(n), text);
      const script = join(tmp, 'debugfs.cmds');
      await writeFile(script, `${debugfsScript(src, gidOf(current.group, 'shadow'))}\n`);
      opts.progress.step(t('vm.addingVagrantUser'));
      // debugfs exits 0 even when a command fails; it reports on stderr, one line per failed command.
      const r = await execa('debugfs', ['-w', '-f', script, raw], { reject: false, stdin: 'ignore' });
      const bad = r.exitCode !== 0 ? `exit ${r.exitCode}: ${r.stderr}` : r.stderr.split('\n').find((l) => l.trim() && !/^debugfs [\d.]+ \(/.test(l));
      if (bad) throw new RunError(t('vm.debugfsFailed', { why: bad.trim() }));
      await run('e2fsck', ['-fn', raw]);
      opts.progress.step(t('vm.converting'));
      await run('qemu-img', ['convert', '-O', 'qcow2', raw, join(tmp, 'box.img')]);
      await rm(raw);
      await copyFile(image.kernel, join(tmp, 'vmlinuz'));
      await copyFile(image.initrd, join(tmp, 'initrd.img'));
      await writeFile(join(tmp, 'metadata.json'), boxMetadata());
      await writeFile(join(tmp, 'Vagrantfile'), BOX_VAGRANTFILE);
      opts.progress.step(t('vm.packing', { file }));
      await mkdir(dirname(file), { recursive: true });
      // Uncompressed: the qcow2 is already small, and gzip would cost most of the time.
      await run('tar', ['-cf', `${file}.part`, '-C', tmp, 'metadata.json', 'Vagrantfile', 'box.img', 'vmlinuz', 'initrd.img']);
      await rename(`${file}.part`, file);
    } finally {
      await rm(tmp, { recursive: true, force: true });
      await rm(`${file}.part`, { force: true });
    }
  } else {
    opts.progress.step(t('vm.boxMade', { file }));
  }
  if (opts.add) {
    requirePrograms(['vagrant'], t('vm.purposeBoxAdd'));
    opts.progress.step(`vagrant box add --force --name ${name}`);
    await run('vagrant', ['box', 'add', '--force', '--name', name, file], { timeoutMs: 600_000 });
  }
  return { file, name, added: !!opts.add, seconds: (Date.now() - started) / 1000 };
}
