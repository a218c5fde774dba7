/**
 * What the DNS step needs to know of a pod, read from its JSON (pure): is it Ready, is it going away, does it run
 * the containers of a given template (same command and args: "Ready with the new arguments"), and if it is stuck,
 * why (ErrImagePull, ImagePullBackOff, CrashLoopBackOff …).
 */
import { isDeepStrictEqual } from 'node:util';
import type { Labels, Pod, PodTemplate } from '../kube/objects.ts';

export interface PodFacts {
  readonly name: string;
  readonly ip?: string;
  readonly ready: boolean;
  /** Being deleted (deletionTimestamp set), or finished: it no longer counts. */
  readonly terminating: boolean;
  /** Every container of the template runs in it with the template's command and args. */
  readonly current: boolean;
  /** The first waiting reason of a container that is not ready, e.g. ErrImagePull. */
  readonly waiting?: string;
  readonly waitingMessage?: string;
  readonly restarts: number;
}

/** Waiting reasons that do not go away by waiting (the image is not there, or the program keeps dying). */
export const STUCK_REASONS = {
  ErrImagePull: 'image',
  ImagePullBackOff: 'image',
  InvalidImageName: 'image',
  ErrImageNeverPull: 'image',
  CrashLoopBackOff: 'crash',
} as const;
export type StuckKind = (typeof STUCK_REASONS)[keyof typeof STUCK_REASONS];

export function computeStuckKind(reason: string | undefined): StuckKind | undefined {
  return reason !== undefined && Object.hasOwn(STUCK_REASONS, reason) ? STUCK_REASONS[reason as keyof typeof STUCK_REASONS] : undefined;
}

/** True when `labels` has every entry of `selector` (an empty selector selects nothing, as for a service). */
export function isSelectedBy(labels: Readonly<Labels> | undefined, selector: Readonly<Labels>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels?.[k] === v);
}

/** Same containers by name, each with the same command and args (unset counts as empty). */
export function isRunningTemplate(pod: Pod, template: PodTemplate | undefined): boolean {
  const wanted = template?.spec?.containers ?? [];
  const running = pod.spec?.containers ?? [];
  if (wanted.length === 0) return false;
  return wanted.every((w, i) => {
    const c = running.find((r) => r.name === w.name) ?? (w.name === undefined ? running[i] : undefined);
    return c !== undefined && isDeepStrictEqual(c.command ?? [], w.command ?? []) && isDeepStrictEqual(c.args ?? [], w.args ?? []);
  });
}

export function buildPodFacts(pod: Pod, template: PodTemplate | undefined): PodFacts {
  const status = pod.status ?? {};
  const ready = status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
  const phase = status.phase;
  const waiting = status.containerStatuses?.find((s) => s.ready !== true && s.state?.waiting?.reason !== undefined)?.state?.waiting;
  const restarts = (status.containerStatuses ?? []).reduce((n, s) => n + (s.restartCount ?? 0), 0);
  return {
    name: pod.metadata?.name ?? '',
    ...(status.podIP !== undefined && status.podIP !== '' ? { ip: status.podIP } : {}),
    ready,
    terminating: pod.metadata?.deletionTimestamp !== undefined || phase === 'Succeeded' || phase === 'Failed',
    current: isRunningTemplate(pod, template),
    ...(waiting?.reason !== undefined ? { waiting: waiting.reason } : {}),
    ...(waiting?.message !== undefined && waiting.message !== '' ? { waitingMessage: waiting.message } : {}),
    restarts,
  };
}

/** Pods that count: not going away. */
export function computeLivePods(facts: readonly PodFacts[]): PodFacts[] {
  return facts.filter((f) => !f.terminating);
}

/** Live pods that are Ready and run the template. */
export function computeReadyCurrent(facts: readonly PodFacts[]): number {
  return facts.filter((f) => !f.terminating && f.ready && f.current).length;
}

/** Why the pods that are not Ready are not, in a few words: `skydns-v10-x1: ErrImagePull (…)`. */
export function describeNotReady(facts: readonly PodFacts[]): string {
  const waiting = facts.filter((f) => !f.terminating && !(f.ready && f.current));
  if (waiting.length === 0) return 'no pod is waiting';
  return waiting
    .slice(0, 5)
    .map((f) => `${f.name}: ${f.waiting ?? (!f.current ? 'runs other args' : 'not Ready')}${f.waitingMessage !== undefined ? ` (${f.waitingMessage})` : ''}`)
    .join('; ');
}
