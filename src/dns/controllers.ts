/**
 * Which live objects are "the kube2sky controller" and "the skydns controller", and what each must become (pure).
 * A controller is found by its base name: `skydns` finds the RC `skydns` or `skydns-v10` (the name a rolling
 * update gave it), or the Deployment `skydns`.
 */
import { isSameTemplateArgs } from './deployment-state.ts';
import type { Deployment, DnsTargets, ReplicationController } from '../kube/objects.ts';
import { buildNextController, buildUpdatedDeployment, computeBaseName } from './next-version.ts';

export type FoundController =
  | { readonly kind: 'ReplicationController'; readonly name: string; readonly object: ReplicationController }
  | { readonly kind: 'Deployment'; readonly name: string; readonly object: Deployment };

export function findControllers(base: string, rcs: readonly ReplicationController[], deployments: readonly Deployment[]): FoundController[] {
  const named = (name: string | undefined): name is string => name !== undefined && (name === base || computeBaseName(name) === base);
  const out: FoundController[] = [];
  for (const rc of rcs) {
    const name = rc.metadata?.name;
    if (named(name)) out.push({ kind: 'ReplicationController', name, object: rc });
  }
  for (const d of deployments) {
    const name = d.metadata?.name;
    if (named(name)) out.push({ kind: 'Deployment', name, object: d });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export type ControllerUpdate =
  | {
      readonly kind: 'ReplicationController';
      readonly base: string;
      readonly oldName: string;
      readonly nextName: string;
      /** The controller as backed up. */
      readonly old: ReplicationController;
      /** The next version, to be created at 0 replicas and grown to `desired`. */
      readonly next: ReplicationController;
      readonly desired: number;
      /** It already runs with the target args: nothing to roll. */
      readonly upToDate: boolean;
    }
  | {
      readonly kind: 'Deployment';
      readonly base: string;
      readonly name: string;
      readonly old: Deployment;
      readonly updated: Deployment;
      readonly upToDate: boolean;
    };

/** Throws the builders' input errors (DNS_SELECTOR_NO_VERSION, DNS_NO_ADDRESS_FLAGS, …): nothing is touched yet. */
export function buildControllerUpdate(base: string, found: FoundController, targets: DnsTargets): ControllerUpdate {
  if (found.kind === 'Deployment') {
    const { deployment, changes } = buildUpdatedDeployment(found.object, targets);
    return { kind: 'Deployment', base, name: found.name, old: found.object, updated: deployment, upToDate: changes.length === 0 };
  }
  const old = found.object;
  const next = buildNextController({ apiVersion: 'v1', kind: 'ReplicationController', ...old }, targets);
  const desired = old.spec?.replicas ?? 1;
  return {
    kind: 'ReplicationController',
    base,
    oldName: found.name,
    nextName: next.metadata?.name ?? '',
    old,
    next,
    desired,
    upToDate: isSameTemplateArgs(old.spec?.template, next.spec?.template),
  };
}
