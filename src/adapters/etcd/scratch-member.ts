/**
 * A scratch etcd member on this machine, restored from a backup, for `ferry restore-check`: the snapshot restored
 * with `etcdctl snapshot restore` into a fresh folder, one member started on it on 127.0.0.1 (free ports, v2 API
 * on), the v2 dump written into its v2 store (dirs, values and TTLs as dumped). Nothing of it is reachable from
 * elsewhere, and `stop()` kills it and removes its folder.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FerryError, messageOf } from '../../errors.ts';
import type { V2Node } from '../../etcd/v2-store.ts';

export interface ScratchMember {
  readonly clientURL: string;
  /** The folder holding its data dir and log (removed by stop). */
  readonly dir: string;
  stop(): Promise<void>;
}

export interface ScratchOptions {
  /** Folder of the `etcd` and `etcdctl` binaries that restore and run the member. */
  readonly binDir: string;
  readonly timeoutMs: number;
}

/** `n` distinct free ports on 127.0.0.1: all held open until every one is chosen, so that none is handed out twice. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen({ host: '127.0.0.1', port: 0 }, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  });
  await Promise.all(servers.map((server) => new Promise((r) => server.close(r))));
  return ports;
}

/** How many times a start whose port was taken meanwhile (by another program) is tried on other ports. */
const PORT_ATTEMPTS = 3;

async function readLogTail(logFile: string): Promise<string> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-4).join(' | ');
}

function run(file: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { env: { ...process.env, ETCDCTL_API: '3' }, timeout: timeoutMs, maxBuffer: 4 << 20 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${file} ${args.join(' ')}: ${(stderr || stdout || error.message).trim().split('\n').slice(-3).join(' ')}`));
      else resolve(stdout);
    });
  });
}

class ScratchExited extends Error {}

async function waitHealthy(clientURL: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new ScratchExited(`the scratch member exited (${child.exitCode ?? child.signalCode}): ${await readLogTail(logFile)}`);
    try {
      const res = await fetch(`${clientURL}/health`, { signal: AbortSignal.timeout(1000) });
      last = await res.text();
      if (res.ok && /"health":\s*"true"/.test(last)) return;
    } catch (err) {
      last = messageOf(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the scratch member did not become healthy within ${timeoutMs} ms (${last})`);
}

/** Restore `snapshot` into a scratch member and start it. */
export async function startScratchMember(snapshot: string, o: ScratchOptions): Promise<ScratchMember> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-restore-check-'));
  let child: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let attempt = 1; ; attempt++) {
      const dataDir = join(dir, `data-${attempt}`);
      const [peerPort, clientPort] = await freePorts(2);
      const peerURL = `http://127.0.0.1:${peerPort}`;
      const clientURL = `http://127.0.0.1:${clientPort}`;
      await run(join(o.binDir, 'etcdctl'), ['snapshot', 'restore', snapshot, '--data-dir', dataDir, '--name', 'scratch', '--initial-cluster', `scratch=${peerURL}`, '--initial-advertise-peer-urls', peerURL, '--initial-cluster-token', 'ferry-restore-check'], o.timeoutMs);
      const logFile = join(dir, `etcd-${attempt}.log`);
      await writeFile(logFile, '');
      const log = await open(logFile, 'a');
      const spawned = spawn(
        join(o.binDir, 'etcd'),
        ['--name', 'scratch', '--data-dir', dataDir, '--listen-peer-urls', peerURL, '--initial-advertise-peer-urls', peerURL, '--listen-client-urls', clientURL, '--advertise-client-urls', clientURL, '--initial-cluster', `scratch=${peerURL}`, '--enable-v2'],
        { stdio: ['ignore', log.fd, log.fd] },
      );
      child = spawned;
      // A binary that cannot be executed is reported by waitHealthy (the process ends), not thrown at the event loop.
      spawned.on('error', (err) => void writeFile(logFile, `spawn failed: ${err.message}\n`, { flag: 'a' }).catch(() => undefined));
      await log.close();
      try {
        await waitHealthy(clientURL, child, logFile, o.timeoutMs);
        return { clientURL, dir, stop };
      } catch (err) {
        // Another program took a port between its choice and etcd's listen: try others.
        if (!(err instanceof ScratchExited) || !/address already in use/i.test(err.message) || attempt >= PORT_ATTEMPTS) throw err;
      }
    }
  } catch (err) {
    await stop();
    throw new FerryError('RESTORE_CHECK_RESTORE_FAILED', `the backup ${snapshot} could not be restored into a scratch member: ${messageOf(err)}`, {
      subjects: { file: snapshot },
      hint: `the restore uses ${o.binDir}/etcdctl and ${o.binDir}/etcd (an etcd as new as the cluster's; --bin-dir picks another folder); a snapshot that does not restore cannot bring the cluster back`,
      cause: err,
    });
  }
}

/**
 * The least TTL a key is written with: a key dumped with a few seconds left would expire while the tree loads and
 * look lost. Only whether a key expires is compared, not how long it has left.
 */
const MIN_LOAD_TTL_SECONDS = 3600;

/** Write a dumped v2 tree into a member's v2 store: every dir, every key with its value, and a TTL when it had one. */
export async function loadV2Tree(clientURL: string, root: V2Node, timeoutMs: number): Promise<void> {
  const put = async (key: string, body: URLSearchParams): Promise<void> => {
    const res = await fetch(`${clientURL}/v2/keys${key.split('/').map(encodeURIComponent).join('/')}`, { method: 'PUT', body, signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new FerryError('RESTORE_CHECK_V2_LOAD_FAILED', `PUT ${key} into the scratch member failed: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`, { subjects: { key } });
  };
  const walk = async (n: V2Node): Promise<void> => {
    for (const c of n.nodes ?? []) {
      if (c.key === undefined) continue;
      if (c.dir === true) {
        await put(c.key, new URLSearchParams({ dir: 'true', ...(c.ttl !== undefined ? { ttl: String(Math.max(c.ttl, MIN_LOAD_TTL_SECONDS)) } : {}) }));
        await walk(c);
      } else await put(c.key, new URLSearchParams({ value: c.value ?? '', ...(c.ttl !== undefined ? { ttl: String(Math.max(c.ttl, MIN_LOAD_TTL_SECONDS)) } : {}) }));
    }
  };
  await walk(root);
}
