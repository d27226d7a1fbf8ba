// Finding a Vagrant folder's machines from its dotfile folder (what `vagrant up` leaves), without running Vagrant.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createdMachines, dotfileDir } from './inventory.js';

describe('createdMachines', () => {
  const saved = process.env.VAGRANT_DOTFILE_PATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.VAGRANT_DOTFILE_PATH;
    else process.env.VAGRANT_DOTFILE_PATH = saved;
  });

  function folder(): string {
    const dir = mkdtempSync(join(tmpdir(), 'lab-vagrant-'));
    writeFileSync(join(dir, 'Vagrantfile'), '');
    return dir;
  }

  function machine(dot: string, name: string, provider: string, id?: string): void {
    mkdirSync(join(dot, 'machines', name, provider), { recursive: true });
    if (id !== undefined) writeFileSync(join(dot, 'machines', name, provider, 'id'), id);
  }

  it('lists machines that have an id, with their provider, from .vagrant', () => {
    const dir = folder();
    delete process.env.VAGRANT_DOTFILE_PATH;
    machine(join(dir, '.vagrant'), 'client', 'libvirt', '3f1c2a9e-aaaa\n');
    machine(join(dir, '.vagrant'), 'proxy', 'virtualbox', 'b7e0');
    machine(join(dir, '.vagrant'), 'web1', 'libvirt'); // never created, or destroyed: no id
    machine(join(dir, '.vagrant'), 'web2', 'libvirt', ''); // an empty id is no machine
    const m = createdMachines(dir);
    expect([...m.keys()].sort()).toEqual(['client', 'proxy']);
    expect(m.get('client')).toEqual({ provider: 'libvirt', id: '3f1c2a9e-aaaa', dir: join(dir, '.vagrant', 'machines', 'client', 'libvirt') });
    expect(m.get('proxy')!.provider).toBe('virtualbox');
  });

  it('follows VAGRANT_DOTFILE_PATH, relative to the Vagrantfile folder', () => {
    const dir = folder();
    process.env.VAGRANT_DOTFILE_PATH = 'state dir';
    expect(dotfileDir(dir)).toBe(join(dir, 'state dir'));
    machine(join(dir, 'state dir'), 'client', 'libvirt', 'x1');
    expect([...createdMachines(dir).keys()]).toEqual(['client']);
    process.env.VAGRANT_DOTFILE_PATH = '/abs/elsewhere';
    expect(dotfileDir(dir)).toBe('/abs/elsewhere');
  });

  it('is empty for a folder Vagrant never ran in', () => {
    delete process.env.VAGRANT_DOTFILE_PATH;
    expect(createdMachines(folder()).size).toBe(0);
  });
});
