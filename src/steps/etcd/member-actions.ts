/**
 * The idempotent building blocks of every etcd membership step. Each `ensure*` first looks at the live cluster
 * (the truth, not the journal) and skips what is already in place, so a step killed at any instant can be
 * re-run by `ferry resume`: "peer URL already exists → adopt it", "member not found → already removed"
 * (peers.md §5.3, the Talos/kubeadm rules).
 */
import { FerryError, messageOf } from '../../errors.ts';
import { computeTolerance, evaluateChange, type Change } from '../../etcd/quorum.ts';
import { readClusterHealth, renderFailedChecks, type HealthOptions, type HealthReport } from '../../etcd/health.ts';
import type { EtcdAdmin, MemberInfo } from '../../etcd/types.ts';
import type { EtcdMember } from '../../inventory/types.ts';
import type { EtcdTimeouts } from '../../plan/types.ts';
import type { StepContext } from '../../run/step-context.ts';
import { pollUntil, retryUntil } from '../../util/retry.ts';
import { buildListenURL, parseEtcdSysconfig, renderEtcdSysconfig, renderEtcdUnit } from '../../etcd/sysconfig.ts';
import { sameURL } from '../../plan/build.ts';

export function findByPeer(members: readonly MemberInfo[], peerURL: string): MemberInfo | undefined {
  return members.find((m) => m.peerURLs.some((u) => sameURL(u, peerURL)));
}

/** Point the admin's pool at the started members, leaving out `exclude` (e.g. a member about to be removed). */
export function useEndpoints(admin: EtcdAdmin, members: readonly MemberInfo[], exclude: readonly string[] = []): void {
  const urls = members.filter((m) => !exclude.includes(m.id) && !m.isLearner).flatMap((m) => m.clientURLs.slice(0, 1));
  if (urls.length > 0) admin.setEndpoints(urls);
}

const unhealthyVoters = (report: HealthReport): string[] => report.model.filter((m) => !m.isLearner && !m.healthy).map((m) => m.name || m.id);

/** How long the guard re-reads health while a voter does not answer, so that one slow answer is not taken for a dead member. */
const GUARD_SETTLE_MS = 5000;

/**
 * Health for the quorum guard. A report whose member list could not be read says nothing about quorum, and a voter
 * that did not answer once may only have been slow, so either is read again for a few seconds; if it still cannot
 * be read, the guard sees no voters (or the voter down) and refuses.
 */
export async function readHealthForGuard(ctx: StepContext): Promise<HealthReport> {
  let report = await readClusterHealth(ctx.deps.etcd);
  const deadline = ctx.deps.now() + GUARD_SETTLE_MS;
  while ((report.members.length === 0 || unhealthyVoters(report).length > 0) && ctx.deps.now() < deadline) {
    await ctx.deps.sleep(200, ctx.signal);
    report = await readClusterHealth(ctx.deps.etcd);
  }
  return report;
}

/** `old2 (etcd on 10.0.0.3)`: where an operator finds a member the cluster lists by name. */
function whereIs(ctx: StepContext, name: string): string {
  const m = [...ctx.inventory.etcd.old, ...ctx.inventory.etcd.new].find((x) => x.name === name);
  return m === undefined ? name : `${name} (${m.service} on ${m.host})`;
}

/** The hint for a cluster with voters down: which ones to bring back, and that `ferry resume` continues. */
function bringBackHint(ctx: StepContext, names: readonly string[]): string {
  return `bring ${names.map((n) => whereIs(ctx, n)).join(', ')} back — start ${names.length === 1 ? 'its' : 'their'} etcd service and check that \`etcdctl endpoint health --cluster\` reports every member healthy — then \`ferry resume\``;
}

/** The quorum guard: refuse a change the worst-case model says could cost quorum or the last spare. */
export function guard(ctx: StepContext, report: HealthReport, change: Change, what: string): void {
  const verdict = evaluateChange(report.model, change, ctx.plan.targetVoters);
  ctx.note(`quorum guard (${what}): ${verdict.allowed ? 'allowed' : 'REFUSED'} — ${verdict.reason}`);
  if (!verdict.allowed) {
    const down = verdict.downVoters;
    throw new FerryError('ETCD_QUORUM_GUARD', `refusing to ${what}: ${verdict.reason}`, {
      hint: down.length > 0 ? bringBackHint(ctx, down) : 'bring every member back to health first (`ferry status`, `etcdctl endpoint status --cluster`), then `ferry resume`',
      ...(down[0] !== undefined ? { subjects: { member: down[0] } } : {}),
      exitCode: 2,
    });
  }
}

/** Wait until the health gate passes, journaling the final verdict; throw ETCD_GATE_FAILED at the deadline. */
export async function waitForGate(ctx: StepContext, t: EtcdTimeouts, label: string, options: HealthOptions = {}): Promise<HealthReport> {
  let last: HealthReport | undefined;
  try {
    const report = await pollUntil(
      async () => {
        last = await readClusterHealth(ctx.deps.etcd, options);
        return last.ok ? last : undefined;
      },
      { timeoutMs: t.gateTimeoutMs, intervalMs: 200, sleep: ctx.deps.sleep, now: ctx.deps.now, signal: ctx.signal, onTimeout: () => new Error('timeout') },
    );
    ctx.gate(true, report.checks);
    return report;
  } catch (err) {
    if (last !== undefined) ctx.gate(false, last.checks);
    if (ctx.signal.aborted) throw err;
    throw new FerryError('ETCD_GATE_FAILED', `health gate ${label} did not pass within ${t.gateTimeoutMs} ms: ${last ? renderFailedChecks(last) : messageOf(err)}`, {
      retryable: true,
      hint: 'look at `ferry status` and the members’ logs; the step was rolled back if it could be',
    });
  }
}

/**
 * The gate after undoing a new member: the cluster is healthy again without it. When a voter is down — often the
 * very reason the step failed (a voter died while the learner caught up) — full health cannot come back by itself,
 * and the rollback has still done all it must: the new member is gone and the remaining voters keep quorum under
 * one leader. Then the gate passes as "rolled back, degraded", journaled with the failed checks; the step's own
 * error names the member to bring back. Any other failure still fails the rollback at the deadline.
 */
export async function waitForRollbackGate(ctx: StepContext, t: EtcdTimeouts, n: EtcdMember): Promise<HealthReport> {
  const options: HealthOptions = { expectAbsentPeerURLs: [n.peerURL] };
  let last: HealthReport | undefined;
  const degradedButSafe = (r: HealthReport): boolean =>
    unhealthyVoters(r).length > 0 &&
    r.checks.find((c) => c.name === 'removed members gone')?.ok === true &&
    r.leaderId !== '0' &&
    computeTolerance(r.model).tolerance >= 0;
  try {
    const report = await pollUntil(
      async () => {
        last = await readClusterHealth(ctx.deps.etcd, options);
        return last.ok || degradedButSafe(last) ? last : undefined;
      },
      { timeoutMs: t.gateTimeoutMs, intervalMs: 200, sleep: ctx.deps.sleep, now: ctx.deps.now, signal: ctx.signal, onTimeout: () => new Error('timeout') },
    );
    ctx.gate(report.ok, report.checks);
    if (!report.ok) ctx.note(`rolled back ${n.name}: it is out of the cluster and quorum holds, but ${unhealthyVoters(report).join(', ')} still do(es) not answer`);
    return report;
  } catch (err) {
    if (last !== undefined) ctx.gate(false, last.checks);
    if (ctx.signal.aborted) throw err;
    throw new FerryError('ETCD_GATE_FAILED', `health gate after rolling back ${n.name} did not pass within ${t.gateTimeoutMs} ms: ${last ? renderFailedChecks(last) : messageOf(err)}`, {
      retryable: true,
      hint: 'look at `ferry status` and the members’ logs; the step was rolled back if it could be',
    });
  }
}

/** Precheck shared by every membership step: healthy voters, agreement, no alarms, no foreign learner. */
export async function precheckCluster(ctx: StepContext, ownPeerURL: string | undefined): Promise<HealthReport> {
  const report = await readClusterHealth(ctx.deps.etcd);
  const learners = report.members.filter((m) => m.isLearner && (ownPeerURL === undefined || !m.peerURLs.some((u) => sameURL(u, ownPeerURL))));
  if (learners.length > 0) {
    throw new FerryError('ETCD_LEARNER_EXISTS', `a learner already exists: ${learners.map((l) => l.name || l.peerURLs.join(',')).join(', ')}`, {
      hint: 'etcd 3.4 allows one learner at a time; promote or remove it (etcdctl member promote/remove) and try again',
      exitCode: 2,
    });
  }
  if (!report.ok) {
    // An unstarted learner of our own is expected on resume; any other failure refuses the step.
    const down = unhealthyVoters(report);
    const lead = down.length > 0 ? `${down.map((n) => whereIs(ctx, n)).join(', ')} ${down.length === 1 ? 'does' : 'do'} not answer; ` : '';
    throw new FerryError('ETCD_UNHEALTHY', `the etcd cluster is not healthy: ${lead}${renderFailedChecks(report)}`, {
      retryable: true,
      hint: down.length > 0 ? `ferry changes membership only on a healthy cluster: ${bringBackHint(ctx, down)}` : 'ferry changes membership only on a healthy cluster; fix the members named, then `ferry resume`',
      ...(down[0] !== undefined ? { subjects: { member: down[0] } } : {}),
      exitCode: 2,
    });
  }
  return report;
}

/** Add the new member as a learner, or adopt it if its peer URL is already in the cluster. Returns its id. */
export async function ensureLearnerAdded(ctx: StepContext, n: EtcdMember, t: EtcdTimeouts): Promise<string> {
  const admin = ctx.deps.etcd;
  const existing = findByPeer(await admin.memberList(), n.peerURL);
  if (existing !== undefined) {
    ctx.skip('add-learner', `${n.peerURL} is already a member (${existing.isLearner ? 'learner' : 'voter'} ${existing.id}): adopted`);
    return existing.id;
  }
  const report = await readHealthForGuard(ctx);
  guard(ctx, report, { kind: 'add-learner', peerURL: n.peerURL }, `add ${n.name} as a learner`);
  return ctx.action(
    'add-learner',
    { member: n.name, peerURL: n.peerURL },
    () =>
      retryUntil(
        async () => {
          try {
            return (await admin.addLearner(n.peerURL)).id;
          } catch (err) {
            // An add that timed out may have happened: adopt it rather than fail (ambiguous result).
            const again = findByPeer(await admin.memberList().catch(() => []), n.peerURL);
            if (again !== undefined) return again.id;
            throw err;
          }
        },
        { timeoutMs: t.addMemberTimeoutMs, delayMs: t.retryDelayMs, sleep: ctx.deps.sleep, now: ctx.deps.now, signal: ctx.signal },
      ),
    (id) => ({ id }),
  );
}

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
 * The membership the new member's `--initial-cluster` must list, read from the LEADER and only once it shows the new
 * member. etcd 3.4 answers MemberList from the serving member's local state, so a member that is behind can return
 * a list without the member just added (or with one just removed); a new member started from such a list refuses to
 * join ("member count is unequal"). The leader's list that includes the new member has, by the raft log's order,
 * applied every earlier change too.
 */
export async function readMembershipIncluding(ctx: StepContext, n: EtcdMember): Promise<MemberInfo[]> {
  const admin = ctx.deps.etcd;
  let last: MemberInfo[] = [];
  return pollUntil(
    async () => {
      const any = await admin.memberList();
      const voter = any.find((m) => !m.isLearner && m.clientURLs.length > 0);
      const leaderId = voter?.clientURLs[0] === undefined ? undefined : (await admin.status(voter.clientURLs[0]).catch(() => undefined))?.leaderId;
      const leaderURL = any.find((m) => m.id === leaderId)?.clientURLs[0];
      last = leaderURL === undefined ? any : await admin.memberList(leaderURL);
      return leaderURL !== undefined && findByPeer(last, n.peerURL) !== undefined ? last : undefined;
    },
    {
      timeoutMs: 10_000,
      intervalMs: 100,
      sleep: ctx.deps.sleep,
      now: ctx.deps.now,
      signal: ctx.signal,
      onTimeout: () =>
        new FerryError('ETCD_MEMBER_MISSING', `the leader's member list does not show ${n.name} (${n.peerURL})`, {
          retryable: true,
          hint: 'ferry resume checks again (and re-adds the member if it is really gone)',
        }),
    },
  );
}

/** Write the new member's sysconfig and unit (backing up what was there) and clear a stale data dir. */
export async function ensureMemberConfigured(ctx: StepContext, n: EtcdMember, optsSource: EtcdMember | undefined): Promise<void> {
  const members = await readMembershipIncluding(ctx, n);
  const self = findByPeer(members, n.peerURL);
  if (self === undefined) throw new FerryError('ETCD_MEMBER_MISSING', `${n.name} is not in the member list; it must be added before it is configured`, { hint: 'ferry resume re-adds it' });
  const host = await ctx.deps.host(n.host);
  if (self.name === '' && (await host.exists(n.dataDir))) {
    // A never-started member cannot own data: whatever is there belongs to something else. Keep it, out of the way.
    const aside = `${n.dataDir}.ferry-preexisting-${ctx.runId}`;
    await ctx.action('move-stale-data-dir', { host: n.host, from: n.dataDir, to: aside }, () => host.rename(n.dataDir, aside));
  }
  const old = await readOldSettings(ctx, optsSource);
  const opts = old.opts;
  const token = old.token ?? ctx.inventory.etcd.clusterToken ?? 'domeos-etcd-cluster';
  const sysconfig = renderEtcdSysconfig({
    name: n.name,
    peerURL: n.peerURL,
    clientURL: n.clientURL,
    initialCluster: buildInitialCluster(members, n),
    state: 'existing',
    token,
    dataDir: n.dataDir,
    opts,
    listenClientURL: buildListenURL(n.clientURL, old.listenClientURLs),
    listenPeerURL: buildListenURL(n.peerURL, old.listenPeerURLs),
  });
  const unitPath = `/etc/systemd/system/${n.service}.service`;
  const backupDir = `/var/lib/ferry/backups/${ctx.runId}`;
  await ctx.action('write-config', { host: n.host, files: [n.configFile, unitPath] }, async () => {
    await host.mkdir(backupDir, 0o700);
    const a = await host.writeFile(n.configFile, sysconfig, { mode: 0o644, backupPath: `${backupDir}${n.configFile.replaceAll('/', '_')}` });
    const b = await host.writeFile(unitPath, renderEtcdUnit({ binary: n.binary, configFile: n.configFile }), {
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
      ...(r.config.changed ? [{ path: n.configFile, ...(r.config.backupPath !== undefined ? { backup: r.config.backupPath } : {}) }] : []),
      ...(r.unit.changed ? [{ path: unitPath, ...(r.unit.backupPath !== undefined ? { backup: r.unit.backupPath } : {}) }] : []),
    ],
  }));
}

/** Start the member's service and wait until its endpoint answers; fail fast when the unit fails. */
export async function ensureStarted(ctx: StepContext, n: EtcdMember, t: EtcdTimeouts): Promise<void> {
  const host = await ctx.deps.host(n.host);
  if ((await host.serviceState(n.service)) === 'failed') {
    // A start that failed before (a port in use, say) may have used up systemd's start limit: clear it first.
    await ctx.action('reset-failed', { host: n.host, unit: n.service }, () => host.service(n.service, 'reset-failed'));
  }
  await ctx.action('start-service', { host: n.host, unit: n.service }, () => host.service(n.service, 'start'));
  await pollUntil(
    async () => {
      try {
        await ctx.deps.etcd.status(n.clientURL);
        return true;
      } catch {
        const state = await host.serviceState(n.service);
        if (state === 'failed' || state === 'inactive') {
          throw new FerryError('ETCD_MEMBER_START_FAILED', `${n.name}: ${n.service} on ${n.host} is ${state}: etcd exited`, {
            subjects: { member: n.name, host: n.host },
            hint: `read the member's log on ${n.host} (journalctl -u ${n.service}); a port already in use, a data dir (${n.dataDir}) it cannot create or write, or a wrong --initial-cluster are the usual causes. The step is rolled back; fix the cause, then \`ferry resume\``,
          });
        }
        return undefined;
      }
    },
    {
      timeoutMs: t.startTimeoutMs,
      intervalMs: 200,
      sleep: ctx.deps.sleep,
      now: ctx.deps.now,
      signal: ctx.signal,
      onTimeout: () =>
        new FerryError('ETCD_MEMBER_START_TIMEOUT', `${n.name} did not answer on ${n.clientURL} within ${t.startTimeoutMs} ms`, {
          subjects: { member: n.name, host: n.host },
          hint: `check ${n.service} on ${n.host} and that ${n.clientURL} is reachable from here`,
        }),
    },
  );
}

/** What the last look at a catching-up learner saw, for the error when it never catches up. */
interface CatchUpSighting {
  applied?: bigint;
  leaderIndex?: bigint;
  /** The leader the learner itself knows ("0": it has heard from none). */
  learnerLeaderId?: string;
  error?: string;
}

function renderCatchUpSighting(s: CatchUpSighting): string {
  if (s.applied === undefined || s.leaderIndex === undefined) return `its progress could not be read${s.error ? ` (${s.error})` : ''}`;
  const behind = s.leaderIndex > s.applied ? s.leaderIndex - s.applied : 0n;
  const deaf = s.learnerLeaderId === '0' ? '; it has not heard from a leader' : '';
  return `it had applied index ${s.applied}, the leader is at ${s.leaderIndex} (${behind} entries behind)${deaf}`;
}

/**
 * Wait until the learner's applied index reaches the leader's index, journaling progress. The leader is the one
 * the voters agree on, not the one the learner names: a learner cut off from its peers may know none. A failed
 * look (the learner not answering for a moment) is retried until the deadline.
 */
export async function waitCaughtUp(ctx: StepContext, n: EtcdMember, t: EtcdTimeouts): Promise<void> {
  const admin = ctx.deps.etcd;
  let lastProgressAt = 0;
  const seen: CatchUpSighting = {};
  await pollUntil(
    async () => {
      try {
        const members = await admin.memberList();
        const self = await admin.status(n.clientURL);
        seen.learnerLeaderId = self.leaderId;
        let leaderId = self.leaderId;
        for (const v of members.filter((m) => !m.isLearner && m.clientURLs[0] !== undefined)) {
          if (members.some((m) => m.id === leaderId && !m.isLearner)) break;
          leaderId = (await admin.status(v.clientURLs[0] as string).catch(() => undefined))?.leaderId ?? '0';
        }
        const leaderURL = members.find((m) => m.id === leaderId && !m.isLearner)?.clientURLs[0];
        if (leaderURL === undefined) {
          seen.error = 'no leader found';
          return undefined;
        }
        const leaderIndex = (await admin.status(leaderURL)).raftIndex;
        const applied = (await admin.status(n.clientURL)).raftAppliedIndex;
        Object.assign(seen, { applied, leaderIndex });
        const now = ctx.deps.now();
        const done = applied >= leaderIndex;
        if (done || now - lastProgressAt >= 500) {
          lastProgressAt = now;
          const pct = leaderIndex === 0n ? 100 : Number((applied * 1000n) / leaderIndex) / 10;
          ctx.progress('catch-up', { member: n.name, applied: applied.toString(), leaderIndex: leaderIndex.toString(), percent: Math.min(pct, 100) });
        }
        return done ? true : undefined;
      } catch (err) {
        seen.error = messageOf(err);
        return undefined;
      }
    },
    {
      timeoutMs: t.catchUpTimeoutMs,
      intervalMs: 100,
      sleep: ctx.deps.sleep,
      now: ctx.deps.now,
      signal: ctx.signal,
      onTimeout: () =>
        new FerryError('ETCD_CATCH_UP_TIMEOUT', `${n.name} on ${n.host} did not catch up with the leader within ${t.catchUpTimeoutMs} ms: ${renderCatchUpSighting(seen)}`, {
          subjects: { member: n.name, host: n.host },
          hint: `the learner is removed again (the step rolls back). Check that the other members reach ${n.name}'s peer URL ${n.peerURL} and that ${n.host} reaches theirs (firewall, proxy, routing), and the new host's disk; then \`ferry resume\`. For a very large database, allow more time: save the plan (\`ferry plan -o json --out plan.json\`), raise params.timeouts.catchUpTimeoutMs and \`ferry apply plan.json\``,
        }),
    },
  );
}

/** Promote the learner; after an error or timeout, re-read the member list before deciding it failed. */
export async function ensurePromoted(ctx: StepContext, n: EtcdMember, id: string, t: EtcdTimeouts): Promise<void> {
  const admin = ctx.deps.etcd;
  const self = (await admin.memberList()).find((m) => m.id === id);
  if (self !== undefined && !self.isLearner) {
    ctx.skip('promote', `${n.name} is already a voting member`);
    return;
  }
  const report = await readHealthForGuard(ctx);
  guard(ctx, report, { kind: 'promote', id, verified: true }, `promote ${n.name}`);
  await ctx.action('promote', { member: n.name, id }, () =>
    retryUntil(
      async () => {
        try {
          await admin.promote(id);
        } catch (err) {
          const now = (await admin.memberList().catch(() => [])).find((m) => m.id === id);
          if (now !== undefined && !now.isLearner) return; // it did happen (k/k#139842)
          throw err;
        }
      },
      { timeoutMs: t.promoteTimeoutMs, delayMs: t.retryDelayMs, sleep: ctx.deps.sleep, now: ctx.deps.now, signal: ctx.signal },
    ),
  );
}

/** If `oldId` leads, hand leadership to the most caught-up healthy new voter (never an old one, never a learner). */
export async function ensureLeaderNotOn(ctx: StepContext, oldId: string, oldName: string, t: EtcdTimeouts): Promise<void> {
  const admin = ctx.deps.etcd;
  const report = await readHealthForGuard(ctx);
  if (report.leaderId !== oldId) {
    ctx.skip('move-leader', `${oldName} does not lead`);
    return;
  }
  const newPeers = ctx.inventory.etcd.new.map((m) => m.peerURL);
  const candidates = report.members
    .filter((m) => !m.isLearner && m.id !== oldId && report.model.find((x) => x.id === m.id)?.healthy)
    .map((m) => ({ m, isNew: m.peerURLs.some((u) => newPeers.some((p) => sameURL(p, u))), applied: report.statuses.get(m.id)?.raftAppliedIndex ?? 0n }))
    .sort((a, b) => Number(b.isNew) - Number(a.isNew) || (b.applied > a.applied ? 1 : b.applied < a.applied ? -1 : 0));
  const target = candidates[0];
  if (target === undefined) {
    throw new FerryError('ETCD_NO_TRANSFEREE', `${oldName} leads and no other healthy voter can take over`, { hint: 'bring another member to health first' });
  }
  guard(ctx, report, { kind: 'move-leader', toId: target.m.id }, `move leadership from ${oldName} to ${target.m.name}`);
  const leaderURL = report.members.find((m) => m.id === oldId)?.clientURLs[0];
  if (leaderURL === undefined) throw new FerryError('ETCD_NO_LEADER_URL', `${oldName} has no client URL`, {});
  await ctx.action('move-leader', { from: oldName, to: target.m.name, toId: target.m.id }, async () => {
    await retryUntil(() => admin.moveLeader(target.m.id, leaderURL), {
      timeoutMs: t.moveLeaderTimeoutMs,
      delayMs: t.retryDelayMs,
      sleep: ctx.deps.sleep,
      now: ctx.deps.now,
      signal: ctx.signal,
    });
    await pollUntil(async () => ((await admin.status(leaderURL)).leaderId !== oldId ? true : undefined), {
      timeoutMs: t.moveLeaderTimeoutMs,
      intervalMs: 50,
      sleep: ctx.deps.sleep,
      now: ctx.deps.now,
      signal: ctx.signal,
      onTimeout: () => new FerryError('ETCD_MOVE_LEADER_TIMEOUT', `leadership did not leave ${oldName}`, { retryable: true, hint: 'ferry resume retries' }),
    });
  });
}

/** Remove a member (through the other members' endpoints); "not found" means already removed. */
export async function ensureRemoved(ctx: StepContext, id: string, name: string, t: EtcdTimeouts, action = 'remove-member'): Promise<void> {
  const admin = ctx.deps.etcd;
  const members = await admin.memberList();
  if (!members.some((m) => m.id === id)) {
    ctx.skip(action, `${name} is not a member (already removed)`);
    return;
  }
  const report = await readHealthForGuard(ctx);
  guard(ctx, report, { kind: 'remove', id }, `remove ${name}`);
  useEndpoints(admin, members, [id]);
  await ctx.action(action, { member: name, id }, () =>
    retryUntil(
      async () => {
        try {
          await admin.remove(id);
        } catch (err) {
          const still = (await admin.memberList().catch(() => undefined))?.some((m) => m.id === id);
          if (still === false) return;
          throw err;
        }
      },
      {
        timeoutMs: t.removeTimeoutMs,
        delayMs: t.retryDelayMs,
        sleep: ctx.deps.sleep,
        now: ctx.deps.now,
        signal: ctx.signal,
        retryIf: (e) => e instanceof FerryError && (e.retryable || e.code === 'ETCD_UNHEALTHY_CLUSTER'),
      },
    ),
  );
}

export async function ensureServiceStopped(ctx: StepContext, m: EtcdMember, action = 'stop-service'): Promise<void> {
  const host = await ctx.deps.host(m.host);
  const state = await host.serviceState(m.service);
  if (state === 'failed') {
    // Leave it clean: a later start must not meet systemd's start limit.
    await ctx.action(`${action}:reset-failed`, { host: m.host, unit: m.service }, () => host.service(m.service, 'reset-failed'));
    return;
  }
  if (state === 'inactive') {
    ctx.skip(action, `${m.service} on ${m.host} is ${state}`);
    return;
  }
  await ctx.action(action, { host: m.host, unit: m.service }, () => host.service(m.service, 'stop'));
}

/** Move a data dir aside (never delete: nothing is lost). */
export async function ensureDataDirMovedAside(ctx: StepContext, m: EtcdMember, suffix: string, action: string): Promise<void> {
  const host = await ctx.deps.host(m.host);
  const target = `${m.dataDir}.${suffix}`;
  if (!(await host.exists(m.dataDir))) {
    ctx.skip(action, `${m.dataDir} on ${m.host} is not there${(await host.exists(target)) ? ` (already at ${target})` : ''}`);
    return;
  }
  let dest = target;
  for (let i = 2; await host.exists(dest); i++) dest = `${target}-${i}`;
  await ctx.action(action, { host: m.host, from: m.dataDir, to: dest }, () => host.rename(m.dataDir, dest), () => ({ archivedTo: dest }));
}
