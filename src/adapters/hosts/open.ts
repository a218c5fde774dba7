/**
 * Opening the Host for an address under an access setting: the lab's host folder, or an SSH connection with the
 * key and known_hosts named (`~` expanded; the key's contents are read by the SSH adapter and never logged).
 */
import { homedir } from 'node:os';
import { resolveLabDir, type Env } from '../../home.ts';
import { expandHome as expandHomeIn } from '../../inventory/normalize.ts';
import type { Access } from '../../inventory/types.ts';
import type { Host } from '../../ports/host.ts';
import { LabHost } from '../../lab/host.ts';
import { SshHost } from './ssh.ts';

const expandHome = (p: string): string => expandHomeIn(p, homedir());

export function openHost(access: Access, address: string, env: Env, o: { readonly connectTimeoutMs?: number } = {}): Promise<Host> {
  if (access.mode === 'lab') return Promise.resolve(new LabHost(resolveLabDir(access.labDir, env), address));
  return SshHost.connect({
    address,
    port: access.port,
    user: access.user,
    keyFile: expandHome(access.keyFile),
    knownHostsFile: expandHome(access.knownHosts),
    sudo: access.sudo,
    ...(o.connectTimeoutMs !== undefined ? { connectTimeoutMs: o.connectTimeoutMs } : {}),
  });
}
