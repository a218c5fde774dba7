/**
 * One container as the 1.4 kubelet sees it at a sync (pure): from what is known of it — the image's catalogue
 * entry, the node's container instance (running or exited, kept by the node like docker's), the image pull
 * attempts — what to do now (start it, restart it, try the pull again, nothing) and the containerStatus to
 * report. The kubelet's rules (pkg/kubelet/kuberuntime, 1.4): a crashed container is restarted at once the first
 * time, then after a back-off of 10 s doubling up to 5 min, waiting with reason CrashLoopBackOff meanwhile; an
 * image that cannot be pulled is tried again with the same back-off, the container waiting with ErrImagePull just
 * after a failed pull and ImagePullBackOff until the next try.
 */
import type { ImageEntry } from './images.ts';

/** The kubelet's back-off: 10 s initial, doubling, capped at 300 s (MaxContainerBackOff). */
export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;
/** How long after a failed pull the container shows ErrImagePull before ImagePullBackOff. */
export const PULL_ERROR_SHOWN_MS = 5_000;

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

/** An exited container instance. */
export interface Termination {
  readonly exitCode: number;
  readonly signal?: number;
  readonly reason: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly containerID: string;
}

/** A container instance on the node (the registry's view of it). */
export interface InstanceFacts {
  readonly id: string;
  readonly startedAt: string;
  /** Restarts before this instance. */
  readonly restartCount: number;
  /** Set once it exited. */
  readonly exit?: Termination;
  /** How the previous instance ended. */
  readonly lastTermination?: Termination;
}

export interface PullFacts {
  /** Failed pulls so far. */
  readonly attempts: number;
  /** ms since the epoch of the last failed pull. */
  readonly lastAttemptAt: number;
}

export interface ContainerFacts {
  readonly name: string;
  readonly image: string;
  /** Undefined: the catalogue does not know the image. */
  readonly entry: ImageEntry | undefined;
  /** The program container's current instance, if any. */
  readonly instance?: InstanceFacts;
  /** Unknown images: the failed pulls. */
  readonly pull?: PullFacts;
  /** The pod's start time (plain containers run since then). */
  readonly podStartedAt: string;
  /** `<name>_<namespace>(<uid>)`, as the kubelet's messages name a pod. */
  readonly podRef: string;
  readonly restartPolicy: RestartPolicy;
}

export type ContainerState =
  | { readonly waiting: { readonly reason: string; readonly message?: string } }
  | { readonly running: { readonly startedAt: string } }
  | { readonly terminated: Termination };

export interface ContainerStatus {
  readonly name: string;
  readonly state: ContainerState;
  readonly lastState: { readonly terminated?: Termination };
  readonly ready: boolean;
  readonly restartCount: number;
  readonly image: string;
  readonly imageID: string;
  readonly containerID?: string;
}

export type ContainerAction = 'none' | 'start' | 'restart' | 'pull';

export interface ContainerDecision {
  readonly action: ContainerAction;
  readonly status: ContainerStatus;
}

/** The back-off before retry number `failures + 1` (0 before the first retry: a first crash restarts at once). */
export function computeBackoffMs(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** Math.min(failures - 1, 16));
}

/** A 64-hex id derived from `seed` (docker ids look like this; stable for the same seed). */
export function buildHexId(seed: string): string {
  let h = 0x811c9dc5;
  let out = '';
  for (let round = 0; out.length < 64; round++) {
    for (const ch of `${seed}:${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, 64);
}

function wantsRestart(policy: RestartPolicy, exit: Termination): boolean {
  return policy === 'Always' || (policy === 'OnFailure' && exit.exitCode !== 0);
}

/** What to do with one container at `now` (ms since the epoch), and its status. */
export function decideContainer(f: ContainerFacts, now: number): ContainerDecision {
  const base = { name: f.name, image: f.image, imageID: `docker://sha256:${buildHexId(`image:${f.image}`)}` };
  if (f.entry === undefined) {
    const attempts = f.pull?.attempts ?? 0;
    const last = f.pull?.lastAttemptAt ?? 0;
    const due = attempts === 0 || now >= last + computeBackoffMs(attempts);
    const freshError = !due && now < last + PULL_ERROR_SHOWN_MS;
    const waiting = due || freshError
      ? { reason: 'ErrImagePull', message: `image pull failed for ${f.image}, this may be because there are no credentials on this request.  details: (Error: image ${f.image} not found)` }
      : { reason: 'ImagePullBackOff', message: `Back-off pulling image "${f.image}"` };
    return { action: due ? 'pull' : 'none', status: { ...base, state: { waiting }, lastState: {}, ready: false, restartCount: 0 } };
  }
  if (f.entry.kind === 'plain') {
    return {
      action: 'none',
      status: { ...base, state: { running: { startedAt: f.podStartedAt } }, lastState: {}, ready: true, restartCount: 0, containerID: `docker://${buildHexId(`${f.podRef}:${f.name}`)}` },
    };
  }
  const inst = f.instance;
  if (inst === undefined) {
    return { action: 'start', status: { ...base, state: { waiting: { reason: 'ContainerCreating', message: '' } }, lastState: {}, ready: false, restartCount: 0 } };
  }
  const containerID = `docker://${inst.id}`;
  const lastState = inst.lastTermination !== undefined ? { terminated: inst.lastTermination } : {};
  if (inst.exit === undefined) {
    return { action: 'none', status: { ...base, state: { running: { startedAt: inst.startedAt } }, lastState, ready: true, restartCount: inst.restartCount, containerID } };
  }
  if (!wantsRestart(f.restartPolicy, inst.exit)) {
    return { action: 'none', status: { ...base, state: { terminated: inst.exit }, lastState, ready: false, restartCount: inst.restartCount, containerID } };
  }
  const backoffMs = computeBackoffMs(inst.restartCount);
  if (now >= Date.parse(inst.exit.finishedAt) + backoffMs) {
    return { action: 'restart', status: { ...base, state: { terminated: inst.exit }, lastState, ready: false, restartCount: inst.restartCount, containerID } };
  }
  const message = `Back-off ${Math.round(backoffMs / 1000)}s restarting failed container=${f.name} pod=${f.podRef}`;
  return {
    action: 'none',
    status: { ...base, state: { waiting: { reason: 'CrashLoopBackOff', message } }, lastState: { terminated: inst.exit }, ready: false, restartCount: inst.restartCount, containerID },
  };
}
