/**
 * The later DomeOS variant (extensions/v1beta1 Deployments, docs/design/domeos.md §4) is updated in place: its pod template
 * gets the new args and the Deployment controller rolls its own pods. Pure: what to send, and whether the rollout
 * is over given the live pods. ferry also sets the pace: `maxUnavailable: 0, maxSurge: 1` — the
 * extensions/v1beta1 default (maxUnavailable 1) would take the only DNS pod down before its successor is Ready —
 * and `minReadySeconds` of at least 5, so that a new pod is in the service's endpoints (and kube-proxy's rules)
 * before an old one goes: otherwise the Deployment controller counts a pod available the moment it is Ready.
 */
import type { Deployment, PodTemplate } from '../kube/objects.ts';
import { computeLivePods, isRunningTemplate, type PodFacts } from './pods.ts';

/** kubectl rolling-update's pace: one extra pod at a time, none missing. */
export const SAFE_STRATEGY = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } as const;
/** How long a new pod must have been Ready before the Deployment controller takes an old one down, at least. */
export const SAFE_MIN_READY_SECONDS = 5;

/** The fields that set how a Deployment rolls (undefined: unset, the server's default). */
export interface DeploymentPace {
  readonly strategy: unknown;
  readonly minReadySeconds: unknown;
}

export function readDeploymentPace(d: Deployment): DeploymentPace {
  return { strategy: d.spec?.['strategy'], minReadySeconds: d.spec?.['minReadySeconds'] };
}

/** The pace ferry rolls the DNS at: SAFE_STRATEGY, and minReadySeconds raised to SAFE_MIN_READY_SECONDS. */
export function buildSafePace(d: Deployment): DeploymentPace {
  const now = d.spec?.['minReadySeconds'];
  return { strategy: SAFE_STRATEGY, minReadySeconds: Math.max(typeof now === 'number' ? now : 0, SAFE_MIN_READY_SECONDS) };
}

/** Same containers (by name) with the same command and args. */
export function isSameTemplateArgs(a: PodTemplate | undefined, b: PodTemplate | undefined): boolean {
  return isRunningTemplate({ spec: { containers: a?.spec?.containers ?? [] } }, b);
}

/**
 * The live Deployment with `template` in place of its own and `pace` (the safe one on the way forward, the
 * backed-up one on the way back; a field absent in the backup was the server's default, so it is removed).
 * Its metadata (resourceVersion included) is the live one: the PUT fails on a concurrent change.
 */
export function buildDeploymentReplacement(live: Deployment, template: PodTemplate | undefined, pace: DeploymentPace): Deployment {
  const copy = structuredClone(live);
  delete copy.status;
  const spec = { ...(copy.spec ?? {}) };
  if (template !== undefined) spec.template = structuredClone(template);
  for (const key of ['strategy', 'minReadySeconds'] as const) {
    const v = pace[key];
    if (v === undefined) delete spec[key];
    else spec[key] = structuredClone(v);
  }
  copy.spec = spec;
  return copy;
}

export type DeploymentAction = { readonly kind: 'replace' } | { readonly kind: 'wait-rollout'; readonly replicas: number } | { readonly kind: 'done' };

/**
 * `pods` are the Deployment's pods, with `current` relative to the wanted template. Done when the template is the
 * wanted one and exactly `replicas` live pods run it, Ready, with no pod of the other template left.
 */
export function computeDeploymentAction(live: Deployment, wanted: PodTemplate | undefined, pods: readonly PodFacts[]): DeploymentAction {
  if (!isSameTemplateArgs(live.spec?.template, wanted)) return { kind: 'replace' };
  const replicas = live.spec?.replicas ?? 1;
  const alive = computeLivePods(pods);
  const done = alive.length === replicas && alive.every((p) => p.current && p.ready);
  return done ? { kind: 'done' } : { kind: 'wait-rollout', replicas };
}
