/**
 * An etcd binary on this machine: whether it is there and executable, and the version it says (`etcd --version`),
 * for the lab (which etcd it runs) and for restore-check (whether this machine's etcd can restore a backup).
 */
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { constants } from 'node:fs';
import { promisify } from 'node:util';
import { FerryError, messageOf } from '../../errors.ts';

const run = promisify(execFile);

/** `etcd Version: 3.3.25` → 3.3.25. */
export function parseEtcdVersionOutput(text: string): string | undefined {
  return /etcd Version:\s*v?(\d+\.\d+\.\d+\S*)/i.exec(text)?.[1] ?? /^etcd\s+v?(\d+\.\d+\.\d+)/m.exec(text)?.[1];
}

export async function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** The version an etcd binary reports. */
export async function readEtcdBinaryVersion(etcd: string): Promise<string> {
  let out: string;
  try {
    out = (await run(etcd, ['--version'], { timeout: 10_000 })).stdout;
  } catch (err) {
    throw new FerryError('LAB_ETCD_BINARY', `${etcd} --version failed: ${messageOf(err)}`, { hint: 'give a folder with a working etcd and etcdctl (ferry lab up --etcd DIR, ferry restore-check --bin-dir DIR)', subjects: { file: etcd } });
  }
  const version = parseEtcdVersionOutput(out);
  if (version === undefined) throw new FerryError('LAB_ETCD_BINARY', `${etcd} --version printed no etcd version: ${out.split('\n')[0] ?? ''}`, { subjects: { file: etcd } });
  return version;
}

