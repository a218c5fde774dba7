/**
 * The new member's configuration: its `--initial-cluster` (read from the leader), the settings it copies from an
 * old member's sysconfig, and writing its sysconfig and unit (backing up what was there).
 */
import { FerryError, messageOf } from '../../errors.ts';
import type { MemberInfo } from '../../etcd/types.ts';
import type { EtcdMember } from '../../inventory/types.ts';
import type { StepContext } from '../../run/step-context.ts';
import { buildListenURL, parseEtcdSysconfig, renderEtcdSysconfig, renderEtcdUnit } from '../../etcd/sysconfig.ts';
import { sameURL } from '../../plan/same-url.ts';
import { readMembershipNow, readMembershipSeeing } from './membership-view.ts';
import { findByPeer } from './cluster-checks.ts';

/** The `--initial-cluster` the new member needs: every current member, the unstarted one named as the new member. */
export function buildInitialCluster(members: readonly MemberInfo[], n: EtcdMember): { name: string; peerURL: string }[] {
  return members.map((m) => {
    const peerURL = m.peerURLs[0] ?? '';
    const isNew = m.peerURLs.some((u) => sameURL(u, n.peerURL));
    return { name: isNew ? n.name : m.name, peerURL };
  });
}

/**
 * What the new member takes over from an old member's config: ETCD_OPTS (e.g. `-enable-v2`, so it serves the same
 * APIs — flannel and kube2sky read etcd through v2) and the cluster token.
 */
export interface OldSettings {
  readonly opts: string;
  readonly token?: string;
  readonly listenClientURLs?: string;
  readonly listenPeerURLs?: string;
}

export async function readOldSettings(ctx: StepContext, source: EtcdMember | undefined): Promise<OldSettings> {
  if (source === undefined) return { opts: '' };
  try {
    const host = await ctx.deps.host(source.host);
    const text = await host.readFile(source.configFile);
    if (text === undefined) {
      ctx.note(`${source.configFile} is not on ${source.host}: the new member gets no extra ETCD_OPTS`);
      return { opts: '' };
    }
    const parsed = parseEtcdSysconfig(text.toString('utf8'));
    return {
      opts: parsed.opts,
      ...(parsed.initialClusterToken ? { token: parsed.initialClusterToken } : {}),
      ...(parsed.listenClientURLs ? { listenClientURLs: parsed.listenClientURLs } : {}),
      ...(parsed.listenPeerURLs ? { listenPeerURLs: parsed.listenPeerURLs } : {}),
    };
  } catch (err) {
    ctx.note(`could not read ${source.configFile} on ${source.host} to copy its ETCD_OPTS: ${messageOf(err)}`);
    return { opts: '' };
  }
}

/**
 * The membership the new member's `--initial-cluster` must list: as of now (membership-view.ts) and only once it
 * shows the new member. A list that is behind (without the member just added, or with one just removed) would make
 * the new member refuse to join ("member count is unequal"); a list that includes every committed change has, by
 * the raft log's order, every earlier change too.
 */
export async function readMembershipIncluding(ctx: StepContext, member: EtcdMember): Promise<MemberInfo[]> {
  try {
    return await readMembershipSeeing(ctx, `${member.name} (${member.peerURL})`, (ms) => findByPeer(ms, member.peerURL) !== undefined);
  } catch (err) {
    if (!(err instanceof FerryError) || err.code !== 'ETCD_MEMBERSHIP_NOT_VISIBLE') throw err;
    throw new FerryError('ETCD_MEMBER_MISSING', `the member list does not show ${member.name} (${member.peerURL})`, {
      retryable: true,
      hint: 'ferry resume checks again (and re-adds the member if it is really gone)',
      cause: err,
    });
  }
}

/**
 * The membership a voter about to be added will join (src/etcd/method.ts: before etcd 3.4 its config is written
 * before the add, so that it can start the moment it is added): every member as of now, plus itself unstarted.
 */
async function readMembershipToJoin(ctx: StepContext, member: EtcdMember): Promise<MemberInfo[]> {
  const now = await readMembershipNow(ctx);
  if (findByPeer(now, member.peerURL) !== undefined) return now;
  return [...now, { id: 'to-be-added', name: '', peerURLs: [member.peerURL], clientURLs: [], isLearner: false }];
}

/**
 * Write the new member's sysconfig and unit (backing up what was there) and clear a stale data dir. `beforeAdd`:
 * the member is not added yet (a voter add before 3.4); its `--initial-cluster` is today's membership plus itself,
 * and the same call after the add finds it written (or rewrites it, if the membership changed meanwhile).
 */
export async function ensureMemberConfigured(ctx: StepContext, member: EtcdMember, optsSource: EtcdMember | undefined, beforeAdd = false): Promise<void> {
  const members = beforeAdd ? await readMembershipToJoin(ctx, member) : await readMembershipIncluding(ctx, member);
  const self = findByPeer(members, member.peerURL);
  if (self === undefined) throw new FerryError('ETCD_MEMBER_MISSING', `${member.name} is not in the member list; it must be added before it is configured`, { hint: 'ferry resume re-adds it' });
  const host = await ctx.deps.host(member.host);
  // A member that was started (its service runs) but has not published its name yet owns its data dir: keep it.
  if (self.name === '' && (await host.exists(member.dataDir)) && (await host.serviceState(member.service)) !== 'active') {
    // A never-started member cannot own data: whatever is there belongs to something else. Keep it, out of the way.
    const aside = `${member.dataDir}.ferry-preexisting-${ctx.runId}`;
    await ctx.action('move-stale-data-dir', { host: member.host, from: member.dataDir, to: aside }, () => host.rename(member.dataDir, aside));
  }
  const old = await readOldSettings(ctx, optsSource);
  const opts = old.opts;
  const token = old.token ?? ctx.inventory.etcd.clusterToken ?? 'domeos-etcd-cluster';
  const sysconfig = renderEtcdSysconfig({
    name: member.name,
    peerURL: member.peerURL,
    clientURL: member.clientURL,
    initialCluster: buildInitialCluster(members, member),
    state: 'existing',
    token,
    dataDir: member.dataDir,
    opts,
    listenClientURL: buildListenURL(member.clientURL, old.listenClientURLs),
    listenPeerURL: buildListenURL(member.peerURL, old.listenPeerURLs),
  });
  const unitPath = `/etc/systemd/system/${member.service}.service`;
  const backupDir = `/var/lib/ferry/backups/${ctx.runId}`;
  await ctx.action('write-config', { host: member.host, files: [member.configFile, unitPath] }, async () => {
    await host.mkdir(backupDir, 0o700);
    const a = await host.writeFile(member.configFile, sysconfig, { mode: 0o644, backupPath: `${backupDir}${member.configFile.replaceAll('/', '_')}` });
    const b = await host.writeFile(unitPath, renderEtcdUnit({ binary: member.binary, configFile: member.configFile }), {
      mode: 0o644,
      backupPath: `${backupDir}${unitPath.replaceAll('/', '_')}`,
    });
    if (b.changed) await host.reloadUnits();
    return { config: a, unit: b };
  }, (r) => ({
    configChanged: r.config.changed,
    configBackup: r.config.backupPath ?? null,
    unitChanged: r.unit.changed,
    unitBackup: r.unit.backupPath ?? null,
    files: [
      ...(r.config.changed ? [{ path: member.configFile, ...(r.config.backupPath !== undefined ? { backup: r.config.backupPath } : {}) }] : []),
      ...(r.unit.changed ? [{ path: unitPath, ...(r.unit.backupPath !== undefined ? { backup: r.unit.backupPath } : {}) }] : []),
    ],
  }));
}
