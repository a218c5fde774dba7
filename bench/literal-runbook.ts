/**
 * The runbook done literally, by hand, against the lab: the baseline ferry is measured against. For each old
 * member, non-leaders first and the leader last:
 *   `member add` (a plain voter: no learner) → write the new member's config and unit → start it → wait until it
 *   answers → `member remove` of the old member → stop the old service.
 * No learner, no catch-up wait, no move-leader: removing the leader leaves the cluster leaderless until the rest
 * elect a new one (docs/design/lab-environment.md §1.4: ~1.3 s).
 *
 * The mechanics are ferry's own (the lab host, renderEtcdSysconfig / renderEtcdUnit, the same sysconfig and
 * unit paths), so the only difference measured is the order and kind of the membership changes. "unhealthy
 * cluster" (etcd's strict reconfig check) is retried every `retryDelayMs`, as an operator re-running the command
 * would, only faster.
 */
import { Etcd3 } from 'etcd3';
import { Etcd3Admin } from '../src/adapters/etcd/client.ts';
import { translateEtcdError } from '../src/adapters/etcd/errors.ts';
import { parseEtcdSysconfig, renderEtcdSysconfig, renderEtcdUnit } from '../src/etcd/sysconfig.ts';
import type { MemberInfo } from '../src/etcd/types.ts';
import { FerryError, isFerryError } from '../src/errors.ts';
import { LabHost } from '../src/lab/host.ts';
import type { EtcdMember, Inventory } from '../src/inventory/types.ts';
import { sameURL } from '../src/plan/same-url.ts';
import { buildPassThroughPolicy } from '../src/write-load/writer.ts';

/** One action of a migration, on the benchmark's clock. */
export interface TimelineEntry {
  readonly label: string;
  readonly start: number;
  end: number;
  /** Attempts, for retried calls. */
  attempts?: number;
}

export interface LiteralRunbookOptions {
  readonly inventory: Inventory;
  readonly labDir: string;
  readonly now: () => number;
  /** Delay between retries of a refused membership change; default 100 ms (ferry's retryDelayMs). */
  readonly retryDelayMs?: number;
  /** Bound on each retried call and on each wait; default 30 000 ms. */
  readonly stepTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isUnhealthy(err: unknown): boolean {
  return isFerryError(err) && err.code === 'ETCD_UNHEALTHY_CLUSTER';
}

function findByPeer(members: readonly MemberInfo[], peerURL: string): MemberInfo | undefined {
  return members.find((m) => m.peerURLs.some((u) => sameURL(u, peerURL)));
}

/** Retry `fn` while etcd says "unhealthy cluster" (strict reconfig check), up to `timeoutMs`. */
async function retryWhileUnhealthy<T>(fn: () => Promise<T>, o: { timeoutMs: number; delayMs: number; entry: TimelineEntry }): Promise<T> {
  const deadline = Date.now() + o.timeoutMs;
  for (let attempt = 1; ; attempt++) {
    o.entry.attempts = attempt;
    try {
      return await fn();
    } catch (err) {
      if (!isUnhealthy(err) || Date.now() + o.delayMs > deadline) throw err;
      await sleep(o.delayMs);
    }
  }
}

/**
 * `etcdctl member add NAME --peer-urls=URL` (a voter), sent to one member that stays. Returns the member list from
 * the answer — what etcdctl prints as ETCD_INITIAL_CLUSTER. (A `member list` right after the add may come from a
 * member that has not applied it yet, and miss the new member: etcd serves member list from local state.)
 */
async function addVoter(endpoint: string, peerURL: string): Promise<{ peerURLs: string[]; name: string }[]> {
  const client = new Etcd3({ hosts: endpoint, faultHandling: { host: buildPassThroughPolicy, global: buildPassThroughPolicy() } });
  try {
    const res = await client.cluster.memberAdd({ peerURLs: [peerURL] }, { deadline: new Date(Date.now() + 5000) });
    return res.members.map((m) => ({ peerURLs: [...m.peerURLs], name: m.name }));
  } catch (err) {
    throw translateEtcdError(err, { op: 'member add', endpoint, member: peerURL });
  } finally {
    client.close();
  }
}

async function readLeaderId(admin: Etcd3Admin, old: readonly EtcdMember[]): Promise<string> {
  for (const m of old) {
    const s = await admin.status(m.clientURL).catch(() => undefined);
    if (s !== undefined && s.leaderId !== '0') return s.leaderId;
  }
  throw new FerryError('BENCH_NO_LEADER', 'no old member reports a leader', { hint: 'is the lab up?' });
}

export async function runLiteralRunbook(o: LiteralRunbookOptions): Promise<TimelineEntry[]> {
  const { inventory, now } = o;
  const delayMs = o.retryDelayMs ?? 100;
  const timeoutMs = o.stepTimeoutMs ?? 30_000;
  const log = o.log ?? (() => undefined);
  const timeline: TimelineEntry[] = [];
  const all = [...inventory.etcd.old, ...inventory.etcd.new];
  const admin = new Etcd3Admin({ endpoints: all.map((m) => m.clientURL) });
  const act = async <T>(label: string, fn: (entry: TimelineEntry) => Promise<T>): Promise<T> => {
    const entry: TimelineEntry = { label, start: now(), end: Number.NaN };
    timeline.push(entry);
    try {
      return await fn(entry);
    } finally {
      entry.end = now();
      log(`  literal: ${label} ${(entry.end - entry.start).toFixed(0)} ms${entry.attempts !== undefined && entry.attempts > 1 ? ` (${entry.attempts} attempts)` : ''}`);
    }
  };
  try {
    const members = await admin.memberList();
    const leaderId = await readLeaderId(admin, inventory.etcd.old);
    const idOf = (m: EtcdMember) => findByPeer(members, m.peerURL)?.id ?? '';
    // Non-leaders first, the leader last (the runbook's order).
    const order = inventory.etcd.old
      .map((m, i) => ({ old: m, new: inventory.etcd.new[i] as EtcdMember, oldId: idOf(m) }))
      .sort((a, b) => Number(a.oldId === leaderId) - Number(b.oldId === leaderId));

    // The client URLs of the members that run (what an operator would pass as --endpoints).
    const live = inventory.etcd.old.map((m) => m.clientURL);
    for (const { old, new: n, oldId } of order) {
      const oldHost = new LabHost(o.labDir, old.host);
      const newHost = new LabHost(o.labDir, n.host);
      const oldConfig = parseEtcdSysconfig((await oldHost.readFile(old.configFile))?.toString('utf8') ?? '');
      const stays = live.find((url) => url !== old.clientURL);
      if (stays === undefined) throw new FerryError('BENCH_NO_MEMBER', 'no started member to send member add to');

      const after = await act(`member add ${n.name}`, (entry) =>
        retryWhileUnhealthy(() => addVoter(stays, n.peerURL), { timeoutMs, delayMs, entry }),
      );
      await act(`write config ${n.name}`, async () => {
        const isNew = (m: { peerURLs: string[] }) => m.peerURLs.some((u) => sameURL(u, n.peerURL));
        const initialCluster = after.map((m) => ({ name: isNew(m) ? n.name : m.name, peerURL: m.peerURLs[0] ?? '' }));
        await newHost.writeFile(
          n.configFile,
          renderEtcdSysconfig({
            name: n.name,
            peerURL: n.peerURL,
            clientURL: n.clientURL,
            initialCluster,
            state: 'existing',
            token: oldConfig.initialClusterToken ?? inventory.etcd.clusterToken ?? 'domeos-etcd-cluster',
            dataDir: n.dataDir,
            opts: oldConfig.opts,
          }),
        );
        await newHost.writeFile(`/etc/systemd/system/${n.service}.service`, renderEtcdUnit({ binary: n.binary, configFile: n.configFile }));
      });
      await act(`start ${n.name}`, async () => {
        await newHost.service(n.service, 'start');
        const deadline = Date.now() + timeoutMs;
        while ((await admin.status(n.clientURL).catch(() => undefined)) === undefined) {
          if (Date.now() > deadline) throw new FerryError('BENCH_START_TIMEOUT', `${n.name} did not answer within ${timeoutMs} ms`);
          if ((await newHost.serviceState(n.service)) === 'failed') throw new FerryError('BENCH_START_FAILED', `${n.name}: ${n.service} on ${n.host} failed`);
          await sleep(100);
        }
        live.push(n.clientURL);
      });
      await act(`member remove ${old.name}${oldId === leaderId ? ' (the leader)' : ''}`, async (entry) => {
        admin.setEndpoints(all.filter((m) => m.name !== old.name).map((m) => m.clientURL));
        await retryWhileUnhealthy(() => admin.remove(oldId), { timeoutMs, delayMs, entry });
        admin.setEndpoints(all.map((m) => m.clientURL));
      });
      live.splice(live.indexOf(old.clientURL), 1);
      await act(`stop ${old.name}`, () => oldHost.service(old.service, 'stop'));
    }
    return timeline;
  } finally {
    await admin.close();
  }
}
