/**
 * A plan: pure, versioned, serialisable data (docs/design/style.md §1). `ferry plan -o json` writes it; `ferry apply plan.json`
 * runs it, refusing a plan whose format version differs or whose observed inputs no longer match the cluster.
 */
import type { EtcdMember, MasterHost, NodeHost, RolloutSection } from '../inventory/types.ts';
import type { Observed } from '../observe/types.ts';
import type { EtcdJoin } from '../etcd/method.ts';
import type { PhaseId, PhaseKey } from './phases.ts';

export const PLAN_FORMAT_VERSION = 1;


/** Bounds on the master steps' waits. */
export interface MasterTimeouts {
  /** How long the old apiserver may take to stop answering after its service stops. */
  readonly stopTimeoutMs: number;
  /** How long the new apiserver may take to answer /healthz and show every object. */
  readonly startTimeoutMs: number;
}

/** Bounds on a step's waits, declared on the step (docs/design/style.md §2), not hand-coded in the runner. */
export interface EtcdTimeouts {
  /** How long to keep retrying `member add` while etcd says "unhealthy cluster" (strict reconfig check). */
  readonly addMemberTimeoutMs: number;
  /** How long the new member may take to answer after its service starts. */
  readonly startTimeoutMs: number;
  /** How long the learner may take to catch up with the leader. */
  readonly catchUpTimeoutMs: number;
  readonly promoteTimeoutMs: number;
  readonly moveLeaderTimeoutMs: number;
  readonly removeTimeoutMs: number;
  /** How long the health gate may take to pass after a change. */
  readonly gateTimeoutMs: number;
  /** Delay between retries of a retryable call. */
  readonly retryDelayMs: number;
}

interface StepBase {
  /** Unique within the plan, stable across re-plans of the same inventory: `etcd.replace.domeosEtcd1`. */
  readonly id: string;
  readonly phase: PhaseId;
  readonly title: string;
  /** What the step does, in order. */
  readonly does: readonly string[];
  /** What it checks before (precheck) and after (verify). */
  readonly checks: readonly string[];
  /** What its rollback does. */
  readonly undoes: readonly string[];
}

type EtcdOrMasterStep =
  | (StepBase & { readonly kind: 'etcd.snapshot'; readonly params: { readonly dir: 'run' } })
  | (StepBase & {
      readonly kind: 'etcd.replace';
      readonly params: {
        readonly old: EtcdMember;
        readonly oldId: string;
        readonly new: EtcdMember;
        /** The old member led when the plan was made (leadership is re-checked when the step runs). */
        readonly oldWasLeader: boolean;
        readonly timeouts: EtcdTimeouts;
        /** How the new member joins (src/etcd/method.ts); absent: as a learner. */
        readonly join?: EtcdJoin;
      };
    })
  | (StepBase & {
      readonly kind: 'etcd.add';
      readonly params: { readonly new: EtcdMember; readonly timeouts: EtcdTimeouts; /** How it joins; absent: as a learner. */ readonly join?: EtcdJoin };
    })
  | (StepBase & {
      readonly kind: 'etcd.remove';
      readonly params: { readonly old: EtcdMember; readonly oldId: string; readonly oldWasLeader: boolean; readonly timeouts: EtcdTimeouts };
    })
  | (StepBase & {
      readonly kind: 'master.stop-old';
      readonly params: { readonly old: MasterHost; readonly new: MasterHost; readonly binDir: string; readonly timeouts: MasterTimeouts };
    })
  | (StepBase & {
      readonly kind: 'master.start-new';
      readonly params: {
        readonly old: MasterHost;
        readonly new: MasterHost;
        /** The all-new etcd client URLs; absent in a master-only migration (the etcd list is kept). */
        readonly etcd?: readonly string[];
        readonly timeouts: MasterTimeouts;
      };
    })
  | (StepBase & {
      readonly kind: 'nodes.repoint';
      readonly params: {
        readonly nodes: readonly NodeHost[];
        /** The new apiserver URL; absent in an etcd-only migration. */
        readonly master?: string;
        /** The all-new etcd client URLs; absent in a master-only migration. */
        readonly etcd?: readonly string[];
        readonly rollout: RolloutSection;
      };
    })
  | (StepBase & {
      readonly kind: 'master.start-held-back';
      readonly params: { readonly new: MasterHost; readonly nodes: readonly NodeHost[]; readonly timeouts: MasterTimeouts };
    })
  | (StepBase & {
      /** Walking a run back: `master` (the original one) starts again in place with its own files; `other` is stopped. */
      readonly kind: 'master.restart';
      readonly params: { readonly master: MasterHost; readonly other: MasterHost; readonly timeouts: MasterTimeouts };
    });

/** Bounds on the DNS step's waits. */
export interface DnsTimeouts {
  /** How long each new DNS pod may take to be Ready during the rolling update. */
  readonly podReadyTimeoutMs: number;
  /** How long the gate (endpoints are the new pods, a DNS query answers) may take to pass. */
  readonly gateTimeoutMs: number;
}


export type Step = EtcdOrMasterStep | DnsStep | ConsoleStep;

export type DnsStep = StepBase & {
  readonly kind: 'dns.update';
  readonly params: {
    /** The apiserver to act through (the new master's when the master moves). */
    readonly apiserver: string;
    readonly namespace: string;
    readonly service: string;
    readonly controllers: readonly string[];
    readonly domain: string;
    /** The etcd client URLs the DNS pods must use (`--machines`, one of them for `--etcd-server`). */
    readonly etcd: readonly string[];
    /** The master URL for kube2sky's `--kube_master_url`. */
    readonly master: string;
    readonly timeouts: DnsTimeouts;
    /**
     * A walk-back: instead of rolling forward, put back the DNS objects a forward run backed up in its own folder
     * (`runDir`), whatever half-state it left; `etcd` and `master` are what that run rolled them to.
     */
    readonly restoreFrom?: { readonly runDir: string; readonly etcd: readonly string[]; readonly master: string };
  };
};

/** How ferry reaches and runs the DomeOS server (from the inventory's `domeos:`). */
export interface ConsoleTarget {
  readonly url: string;
  readonly cluster: string;
  readonly host: string;
  readonly service: string;
  readonly stopCommand?: readonly string[];
  readonly startCommand?: readonly string[];
  /** Where the credentials are read from when the step runs (never the credentials themselves). */
  readonly credentialsFile?: string;
}

export type ConsoleStep =
  | (StepBase & { readonly kind: 'console.stop'; readonly params: { readonly console: ConsoleTarget; readonly stopTimeoutMs: number } })
  | (StepBase & { readonly kind: 'console.start'; readonly params: { readonly console: ConsoleTarget; readonly healthTimeoutMs: number } })
  | (StepBase & {
      readonly kind: 'console.update';
      readonly params: {
        readonly console: ConsoleTarget;
        /** The new apiserver URL for the cluster record's `api`; absent when the master does not move. */
        readonly apiserver?: string;
        /** The new etcd client URLs for its `etcd`; absent when etcd does not move. */
        readonly etcd?: readonly string[];
        /** How long the watcher may take to reach STOP, and to run again. */
        readonly watcherTimeoutMs: number;
      };
    });

export type StepKind = Step['kind'];

/** The step of one kind, e.g. `StepOf<'etcd.replace'>`. */
export type StepOf<K extends StepKind> = Extract<Step, { kind: K }>;

export interface PlanPhase {
  readonly id: PhaseId;
  readonly key: PhaseKey;
  readonly title: string;
  readonly reason: string;
  readonly steps: readonly Step[];
}

export interface Plan {
  readonly kind: 'ferry-plan';
  readonly formatVersion: typeof PLAN_FORMAT_VERSION;
  readonly inventory: { readonly name: string; readonly path: string; readonly sha256: string };
  /** sha256 over the observed membership and leader the plan was built from (see fingerprint.ts). */
  readonly observedFingerprint: string;
  readonly observed: Observed;
  /** Size of the etcd cluster the plan ends with. */
  readonly targetVoters: number;
  /** Notes for the operator: members already moved, warnings. */
  readonly notes: readonly string[];
  readonly phases: readonly PlanPhase[];
}
