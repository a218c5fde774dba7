/**
 * The crash tests' environment (test/integration/crash-chain.test.ts, bench/crash-torture.ts): the demo's lab —
 * 3 old + 3 new etcd members, old and new master, 2 nodes, cluster DNS and the DomeOS console — on a caller's own
 * addresses, a writer putting unique keys over the old and new client URLs in the test's own process (it outlives
 * every ferry that is killed), the kill points of the plan ferry runs, and the independent checker's target.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolveRunsDir } from '../../src/home.ts';
import { startWriter, type WriteRecord } from '../../src/write-load/writer.ts';
import { planSteps } from '../../src/plan/plan-steps.ts';
import type { Plan } from '../../src/plan/types.ts';
import { readRunPlan } from '../../src/run/run-dir.ts';
import { buildCheckTarget, type CheckTarget } from './independent-check.ts';
import { buildKillPoints, type KillPoint } from './kill-points.ts';
import { startMasterLab, type MasterLab } from './master-lab.ts';
import { planFor, withDeps } from './migration.ts';

export interface CrashNet {
  /** Three octets: console .10, new master .20, new etcd .21–.23, old master .30, old etcd .31–.33, nodes .39–.40. */
  readonly prefix: string;
  /** The lab's serviceClusterIpRange (a /13); the kubernetes service is its first address. */
  readonly services: string;
  readonly clusterDns: string;
  readonly flannel: string;
}

export const CRASH_KEY_ROOT = 'crash';

export function startCrashLab(net: CrashNet): Promise<MasterLab> {
  return startMasterLab(net.prefix, {
    nodes: 2,
    extra: { domeos: { url: `http://${net.prefix}.10:8080`, cluster: 'mit' } },
    lab: { dns: true, serviceClusterIpRange: net.services, clusterDns: net.clusterDns, flannelNetwork: net.flannel },
  });
}

/** The kubernetes service's address: the first of the service range. */
function kubernetesServiceIP(services: string): string {
  const base = (services.split('/')[0] ?? '').split('.').map(Number);
  return [base[0], base[1], base[2], (base[3] ?? 0) + 1].join('.');
}

export function buildCrashCheckTarget(lab: MasterLab, net: CrashNet): CheckTarget {
  return buildCheckTarget(lab, {
    dns: { server: net.clusterDns, name: 'kubernetes.default.svc.domeos.local', expect: kubernetesServiceIP(net.services) },
    console: { url: `http://${net.prefix}.10:8080`, cluster: 'mit' },
  });
}

function killPointsOf(plan: Plan): KillPoint[] {
  const steps = planSteps(plan);
  const repoint = steps.find((s) => s.kind === 'nodes.repoint');
  const nodes = repoint?.kind === 'nodes.repoint' ? repoint.params.nodes.map((n) => n.name) : [];
  return buildKillPoints(steps, { nodes });
}

/** The kill points of the plan ferry would make now (before `ferry apply`). */
export async function readPlannedKillPoints(lab: MasterLab): Promise<KillPoint[]> {
  return killPointsOf(await withDeps(lab, (deps) => planFor(lab, deps)));
}

/** The kill points of the plan a run is executing (its plan.json). */
export function readRunKillPoints(runDir: string): KillPoint[] {
  return killPointsOf(readRunPlan(runDir) as Plan);
}

/** The lab's only run folder, once `ferry apply` has made it. */
export function findOnlyRunDir(lab: MasterLab): string | undefined {
  const runsDir = resolveRunsDir(lab.env);
  let ids: string[];
  try {
    ids = readdirSync(runsDir);
  } catch {
    return undefined;
  }
  return ids.length === 1 ? join(runsDir, ids[0] as string) : undefined;
}

export interface CrashWriter {
  readonly prefix: string;
  /** Keys acknowledged so far (live). */
  acked(): string[];
  stop(): Promise<WriteTotals>;
}

export interface WriteTotals {
  readonly written: number;
  readonly acked: number;
  readonly failed: number;
  readonly ackedKeys: readonly string[];
}

/** The load writer (src/write-load/writer.ts) in this process, a unique key every `intervalMs` over old+new client URLs. */
export function startCrashWriter(lab: MasterLab, tag: string, intervalMs = 30): CrashWriter {
  const writer = startWriter({ endpoints: [...lab.inventory.etcd.old, ...lab.inventory.etcd.new].map((m) => m.clientURL), tag, keyRoot: CRASH_KEY_ROOT, intervalMs });
  const ackedOf = (records: readonly WriteRecord[]) => records.filter((r) => r.ackAt !== undefined).map((r) => r.key);
  let stopped: Promise<WriteTotals> | undefined;
  return {
    prefix: `${CRASH_KEY_ROOT}/${tag}/`,
    acked: () => ackedOf(writer.records),
    stop() {
      stopped ??= writer.stop().then((records) => ({
        written: records.length,
        acked: records.filter((r) => r.ackAt !== undefined).length,
        failed: records.filter((r) => r.failed).length,
        ackedKeys: ackedOf(records),
      }));
      return stopped;
    },
  };
}
