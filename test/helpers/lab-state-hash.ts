/**
 * A hash of a lab's whole state, for tests that must prove a command touched nothing (issue 6 §4): every file under
 * the lab folder (path, type, mode, contents), the etcd data (every v3 key and value, read with `etcdctl get ""
 * --prefix`, the v2 tree from `/v2/keys`, and `etcdctl member list`), and the lab's processes (pid and argv).
 *
 * Left out, because they change by themselves while nothing is done: logs, the contents of etcd's member folders
 * (WAL and snapshots move with every lease renewal), and the keys the lab's programs rewrite on their own (see
 * {@link isVolatileKey}). Each entry is kept by name, so {@link diffLabStates} says what changed, not only that
 * something did.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { findProcessesWithCmdline, readProcessCmdline } from '../../src/lab/supervisor/processes.ts';

const run = promisify(execFile);

export interface LabStateOptions {
  readonly labDir: string;
  /** Client URLs of the lab's running etcd members (the old ones). */
  readonly etcdEndpoints: readonly string[];
}

export interface LabState {
  /** sha256 over every entry, in sorted order. */
  readonly hash: string;
  /** `file:hosts/127.45.1.31/etc/sysconfig/etcd` → its digest; `etcd:/registry/…`, `member:…`, `process:PID`. */
  readonly entries: ReadonlyMap<string, string>;
}

/**
 * Files that change by themselves: logs, and whatever is inside an etcd data dir's `member/` folder (wal/, snap/).
 * The member folder itself is kept, so removing or archiving a data dir still shows.
 */
function isVolatilePath(rel: string): boolean {
  const parts = rel.split(sep);
  if (parts.some((p) => p === 'log' || p === 'logs')) return true;
  const name = parts[parts.length - 1] ?? '';
  if (/\.log(\.\d+)?$/.test(name)) return true;
  const member = parts.indexOf('member');
  return member >= 0 && member < parts.length - 1;
}

/**
 * Keys the lab's programs rewrite while nothing is done. Found by hashing a quiet lab (etcd, master, one node)
 * three times, 6 s apart, with nothing left out: only the node's status (`/registry/minions/…`, its heartbeat)
 * changed. The apiserver's master lease and events are left out too, since they are rewritten on their own
 * schedule; flannel's v2 subnet leases carry a TTL and are skipped by {@link readEtcdV2}.
 */
export function isVolatileKey(key: string): boolean {
  return /^\/registry\/(minions|nodes|masterleases|leases|events)\//.test(key);
}

function digest(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function readFiles(labDir: string, into: Map<string, string>): void {
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return; // removed while walking: a unit's temp file
    }
    for (const name of names.sort()) {
      const path = join(dir, name);
      const rel = relative(labDir, path);
      if (isVolatilePath(rel)) continue;
      let st;
      try {
        st = lstatSync(path);
      } catch {
        continue;
      }
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isDirectory()) {
        into.set(`dir:${rel}`, mode);
        walk(path);
      } else if (st.isSymbolicLink()) into.set(`link:${rel}`, readlinkSync(path));
      else if (st.isFile()) {
        try {
          into.set(`file:${rel}`, `${mode} ${digest(readFileSync(path))}`);
        } catch {
          continue;
        }
      } else into.set(`other:${rel}`, mode); // the supervisor's socket
    }
  };
  walk(labDir);
}

interface EtcdKv {
  key: string;
  value?: string;
}

async function readEtcdKeys(endpoints: string, into: Map<string, string>): Promise<void> {
  const { stdout } = await run('etcdctl', ['--endpoints', endpoints, '--command-timeout=10s', 'get', '', '--prefix', '-w', 'json'], {
    env: { ...process.env, ETCDCTL_API: '3' },
    maxBuffer: 256 * 1024 * 1024,
  });
  // Keys and values are base64 in JSON output; only those are read (revisions move with the volatile keys).
  const kvs = (JSON.parse(stdout) as { kvs?: EtcdKv[] }).kvs ?? [];
  for (const kv of kvs) {
    const key = Buffer.from(kv.key, 'base64').toString('utf8');
    if (isVolatileKey(key)) continue;
    into.set(`etcd:${key}`, digest(Buffer.from(kv.value ?? '', 'base64')));
  }
}

interface V2Node {
  key?: string;
  value?: string;
  dir?: boolean;
  ttl?: number;
  nodes?: V2Node[];
}

/** The v2 store (flannel and skydns use it); skipped when the members do not serve it. */
async function readEtcdV2(endpoint: string, into: Map<string, string>): Promise<void> {
  const res = await fetch(`${endpoint}/v2/keys/?recursive=true&quorum=true`, { signal: AbortSignal.timeout(10_000) });
  if (res.status === 404) return;
  const body = (await res.json()) as { node?: V2Node };
  const visit = (n: V2Node): void => {
    const key = n.key ?? '/';
    if (isVolatileKey(key) || n.ttl !== undefined) return;
    into.set(`etcd2:${key}`, n.dir === true ? 'dir' : digest(n.value ?? ''));
    for (const c of n.nodes ?? []) visit(c);
  };
  if (body.node !== undefined) visit(body.node);
}

async function readMembers(endpoints: string, into: Map<string, string>): Promise<void> {
  const { stdout } = await run('etcdctl', ['--endpoints', endpoints, '--command-timeout=10s', 'member', 'list', '-w', 'simple'], {
    env: { ...process.env, ETCDCTL_API: '3' },
  });
  // `ID, started, name, peerURLs, clientURLs, isLearner`: the whole line is the member's state.
  for (const line of stdout.trim().split('\n')) {
    const id = line.split(',')[0]?.trim() ?? line;
    into.set(`member:${id}`, line.trim());
  }
}

function readProcesses(labDir: string, into: Map<string, string>): void {
  for (const pid of findProcessesWithCmdline(labDir)) {
    const cmdline = readProcessCmdline(pid);
    if (cmdline === undefined || cmdline.includes('etcdctl')) continue;
    into.set(`process:${pid}`, cmdline);
  }
}

export async function readLabState(o: LabStateOptions): Promise<LabState> {
  const entries = new Map<string, string>();
  readFiles(o.labDir, entries);
  const endpoints = o.etcdEndpoints.join(',');
  await readEtcdKeys(endpoints, entries);
  await readMembers(endpoints, entries);
  const first = o.etcdEndpoints[0];
  if (first !== undefined) await readEtcdV2(first, entries);
  readProcesses(o.labDir, entries);
  const sorted = [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { hash: digest(sorted.map(([k, v]) => `${k}\0${v}\n`).join('')), entries: new Map(sorted) };
}

/** What differs between two reads, one line per entry: `+ added`, `- removed`, `~ changed`. */
export function diffLabStates(before: LabState, after: LabState): string[] {
  const out: string[] = [];
  for (const [k, v] of before.entries) {
    const now = after.entries.get(k);
    if (now === undefined) out.push(`- ${k}`);
    else if (now !== v) out.push(`~ ${k}`);
  }
  for (const k of after.entries.keys()) if (!before.entries.has(k)) out.push(`+ ${k}`);
  return out;
}
