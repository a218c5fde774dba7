/**
 * What a step handler gets: the world through `deps` (adapters, clock), and the journal through `action`, which
 * appends `action-started` BEFORE the effect and `action-finished` (or `action-failed`) after it (STYLE.md §4).
 */
import type { EtcdAdmin } from '../ports/etcd.ts';
import type { Host } from '../ports/host.ts';
import type { Inventory } from '../inventory/types.ts';
import type { Plan, Step } from '../plan/types.ts';
import type { Sleep } from '../util/retry.ts';
import type { GateCheck } from '../observe/etcd-health.ts';
import type { KubeApi } from '../adapters/kube/client.ts';
import type { KubeWorkloads } from '../adapters/kube/workloads.ts';
import type { ConsoleApi } from '../ports/console.ts';

/** The side-effecting world, reached through one object with real defaults (STYLE.md §5). */
export interface Deps {
  readonly etcd: EtcdAdmin;
  /** The Host for an address (SSH or lab, per the inventory). Cached by the implementation. */
  host(address: string): Promise<Host>;
  /** Close the connection to a host once no step needs it (a fleet of nodes must not keep 1000 SSH sessions). */
  releaseHost?(address: string): Promise<void>;
  /** The apiserver at a URL (e.g. http://10.17.33.20:8080). */
  kube(url: string): KubeApi;
  /** Services, endpoints, pods, controllers and Deployments of the apiserver at a URL (the DNS step). Cached per URL. */
  workloads(url: string): KubeWorkloads;
  /** The A records of `name` as the DNS server `server` (an IP) answers, within `timeoutMs`. */
  resolveA(server: string, name: string, timeoutMs: number): Promise<string[]>;
  /** The DomeOS console at a URL; its `login()` reads the credentials when the step runs (never journalled). */
  console(url: string): ConsoleApi;
  readonly now: () => number;
  readonly sleep: Sleep;
}

export interface StepContext {
  readonly runId: string;
  readonly runDir: string;
  readonly plan: Plan;
  readonly inventory: Inventory;
  readonly deps: Deps;
  readonly signal: AbortSignal;
  /** True when this step was already entered by an earlier process (resume): handlers adopt what they find. */
  readonly resumed: boolean;
  /** Journal an effect around `fn`. */
  action<T>(name: string, detail: Record<string, unknown>, fn: () => Promise<T>, result?: (value: T) => Record<string, unknown>): Promise<T>;
  /** Journal that an effect was found already in place, or was not needed. */
  skip(name: string, reason: string): void;
  progress(kind: string, data: Record<string, unknown>): void;
  gate(ok: boolean, checks: readonly GateCheck[]): void;
  note(message: string): void;
  /** Actions already finished for this step, per the journal (resume). */
  finishedActions(): ReadonlySet<string>;
  /** Result of an earlier finished action, per the journal. */
  actionResult(name: string): Record<string, unknown> | undefined;
  /** Result of a finished action of another step of this run (e.g. the census taken before the old master stopped). */
  resultOf(stepId: string, action: string): Record<string, unknown> | undefined;
}

export interface StepHandler<S extends Step = Step> {
  /** Read-only checks; throw a FerryError to refuse. Nothing has changed when it throws. */
  precheck(step: S, ctx: StepContext): Promise<void>;
  /** The change itself; idempotent (resume may repeat it). */
  apply(step: S, ctx: StepContext): Promise<void>;
  /** The health gate; throws when it fails. */
  verify(step: S, ctx: StepContext): Promise<void>;
  /** Undo what apply did, leaving the world as it was before the step; idempotent. Throws when it cannot. */
  rollback(step: S, ctx: StepContext): Promise<void>;
}
