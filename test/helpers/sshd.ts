/**
 * A real OpenSSH sshd for tests: its folder prepared (keys, authorized_keys, a bin/ folder first on the session PATH
 * for stand-in commands, sshd_config, known_hosts), started in the foreground and resolved once it listens, and
 * stopped with the session processes it forked.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readProcessState } from '../../src/lab/supervisor/processes.ts';

export interface SshdFolder {
  /** The folder: hostkey, client (the login key), authorized_keys, bin/, sshd_config, known_hosts. */
  readonly dir: string;
  readonly configFile: string;
  readonly clientKey: string;
  readonly knownHosts: string;
  readonly bin: string;
}

export interface SshdFolderOptions {
  readonly address: string;
  readonly port: number;
  /** More ed25519 keys to make beside hostkey and client (e.g. another host key for a mismatch test). */
  readonly extraKeys?: readonly string[];
  /** Where clients reach this sshd, for known_hosts (a proxy in front of it); defaults to address:port. */
  readonly knownAs?: { readonly address: string; readonly port: number };
  /** What follows bin/ on the session PATH. */
  readonly pathTail?: string;
}

/** ssh-keygen an ed25519 key pair `<dir>/<name>` and `<name>.pub`. */
function keygen(dir: string, name: string): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', join(dir, name)], { encoding: 'utf8' });
  assert.equal(r.status, 0, `ssh-keygen ${name}: ${r.stderr}`);
}

/** `[address]:port ssh-ed25519 AAAA…` for the public key in `pubFile`, with an optional `@revoked `-style marker. */
export function knownHostsLine(pubFile: string, address: string, port: number, marker = ''): string {
  const [type, key] = readFileSync(pubFile, 'utf8').split(' ');
  return `${marker}[${address}]:${port} ${type} ${key}\n`;
}

/** Writes everything a key-only, root-login, sftp-serving sshd on address:port needs into `dir` (which exists). */
export function prepareSshdFolder(dir: string, o: SshdFolderOptions): SshdFolder {
  const file = (name: string): string => join(dir, name);
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  for (const name of ['hostkey', 'client', ...(o.extraKeys ?? [])]) keygen(dir, name);
  copyFileSync(file('client.pub'), file('authorized_keys'));
  mkdirSync(file('bin'), { recursive: true });
  writeFileSync(file('sshd_config'), [
    `Port ${o.port}`,
    `ListenAddress ${o.address}`,
    `HostKey ${file('hostkey')}`,
    `PidFile ${file('sshd.pid')}`,
    `AuthorizedKeysFile ${file('authorized_keys')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'UsePAM no',
    'StrictModes no',
    'Subsystem sftp internal-sftp',
    `SetEnv PATH=${file('bin')}:${o.pathTail ?? '/usr/bin:/bin'}`,
  ].join('\n') + '\n');
  const seenAs = o.knownAs ?? { address: o.address, port: o.port };
  writeFileSync(file('known_hosts'), knownHostsLine(file('hostkey.pub'), seenAs.address, seenAs.port));
  return { dir, configFile: file('sshd_config'), clientKey: file('client'), knownHosts: file('known_hosts'), bin: file('bin') };
}

export interface StartSshdOptions {
  /**
   * Runs sshd through another program (e.g. `unshare … sh -c '…; exec <sshd argv>'`): given sshd's own argv, returns
   * the command and its arguments. sshd's stderr must reach the returned process's stderr.
   */
  readonly wrap?: (sshdArgv: readonly string[]) => { command: string; args: string[] };
}

/** Start `/usr/sbin/sshd -D -e -f <configFile>`; rejects (with its log) if it exits or is not listening in 10 s. */
export function startSshd(configFile: string, o: StartSshdOptions = {}): Promise<ChildProcess> {
  const argv = ['/usr/sbin/sshd', '-D', '-e', '-f', configFile];
  const { command, args } = o.wrap?.(argv) ?? { command: argv[0] as string, args: argv.slice(1) };
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  return new Promise<ChildProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sshd did not start within 10 s:\n${log}`));
    }, 10_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Server listening on')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited with ${code}:\n${log}`));
    });
  });
}

/** Every process whose parent chain leads to `pid`, from /proc. */
function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // the process exited meanwhile
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const [child, ppid] of parents) {
      if (ppid === parent && !found.includes(child)) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** Gone, or a zombie waiting for PID 1 to reap it (which takes up to ~1.2 s here). */
export const isGone = (pid: number): boolean => readProcessState(pid) !== 'running';

/**
 * Stops sshd (SIGTERM, SIGKILL after 10 s) and the session processes it forked (with `sessionSignal`), and waits up
 * to 10 s for those to end. Returns the session processes still running after that (none, normally).
 */
export async function stopSshd(child: ChildProcess | undefined, sessionSignal: NodeJS.Signals = 'SIGTERM'): Promise<number[]> {
  if (child?.pid === undefined) return [];
  const sessions = descendantsOf(child.pid);
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  for (const pid of sessions) {
    try {
      process.kill(pid, sessionSignal);
    } catch {
      // already gone
    }
  }
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killTimer);
  for (let i = 0; i < 100 && !sessions.every(isGone); i++) await sleep(100);
  return sessions.filter((pid) => !isGone(pid));
}
