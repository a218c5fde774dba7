/** What the planner is given: the inventory, what was observed, the scope, and for a walk-back what to undo. */
import type { Inventory, NodeHost } from '../inventory/types.ts';
import type { EtcdTimeouts } from './types.ts';
import type { Observed } from '../observe/types.ts';

/** Which parts of the runbook a plan covers. */
export type Scope = 'all' | 'etcd' | 'master';

/**
 * What a walk-back (`ferry rollback`) must undo besides etcd, decided from what the forward run did and from the live
 * cluster (src/run/walk-back.ts). Its inventory has both sides swapped: `master.new` is the ORIGINAL master.
 */
export interface WalkBackPlanOptions {
  /**
   * 'keep': the forward run never stopped the original master — no master step. 'restart': it did; the original
   * starts again in place (`master.restart`), its nodes come back, then scheduler and controller.
   */
  readonly master: 'keep' | 'restart';
  /** Whether the master the forward run moved to serves now: then its census is recorded and it is stopped first. */
  readonly movedToServing: boolean;
  /** The nodes the forward run repointed (its nodes step's list): repointed back, or none. */
  readonly nodes: readonly NodeHost[];
  /** `kube-apiserver --version` seen by the forward run (for the words of the stop step). */
  readonly kubeVersion: string;
  /**
   * The forward run touched the DNS add-on: put back the objects it backed up in its folder (`runDir`), rolled to
   * `etcd` and `master` by it. Undefined: the DNS add-on still runs as it did.
   */
  readonly dns: { readonly runDir: string; readonly etcd: readonly string[]; readonly master: string } | undefined;
  /** The forward run touched the console's cluster record: put the original apiserver and etcd back. */
  readonly consoleRecord: boolean;
}

export interface BuildPlanInput {
  readonly inventory: Inventory;
  readonly inventoryPath: string;
  readonly inventorySha256: string;
  readonly observed: Observed;
  readonly timeouts?: Partial<EtcdTimeouts>;
  /** Default 'all': whatever the inventory describes. */
  readonly scope?: Scope;
  /** Set for a walk-back: see WalkBackPlanOptions (scope is then 'all'). */
  readonly walkBack?: WalkBackPlanOptions;
}
