/**
 * Opening the Host for an address under an access setting: an SSH connection with the key and known_hosts named
 * (`~` expanded; the key's contents are read by the SSH adapter and never logged), or, with access mode lab, the
 * lab's host, through the opener the composition root hands in (the product does not import the lab).
 */
import { homedir } from 'node:os';
import { BugError } from '../../errors.ts';
import { resolveLabDir, type Env } from '../../home.ts';
import { expandHome as expandHomeIn } from '../../inventory/normalize.ts';
import type { Access } from '../../inventory/types.ts';
import type { Host } from '../../ports/host.ts';
import { SshHost } from './ssh.ts';

const expandHome = (p: string): string => expandHomeIn(p, homedir());

/** Opens a lab host: the lab's root folder and an address in it. */
export type LabHostOpener = (labDir: string, address: string) => Promise<Host>;

export interface OpenHostOptions {
  readonly connectTimeoutMs?: number;
  /** How a host with access mode lab is opened; without it such a host is refused. */
  readonly openLabHost?: LabHostOpener;
}

export function openHost(access: Access, address: string, env: Env, o: OpenHostOptions = {}): Promise<Host> {
  if (access.mode === 'lab') {
    if (o.openLabHost === undefined) return Promise.reject(new BugError(`host ${address}: access mode lab, but no lab opener was handed in`));
    return o.openLabHost(resolveLabDir(access.labDir, env), address);
  }
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
