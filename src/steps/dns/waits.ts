/**
 * The DNS step's bounded waits: pods Ready with the right args, pods gone, the DNS answering. A pod that is still
 * not Ready when the bound passes fails the wait with its reason: the image cannot be pulled (DNS_POD_IMAGE_PULL),
 * the program keeps dying (DNS_POD_CRASHLOOP), or anything else (DNS_POD_NOT_READY).
 */
import { FerryError, messageOf } from '../../errors.ts';
import type { GateCheck } from '../../gate-check.ts';
import { computeDnsAnswerCheck } from '../../dns/gate.ts';
import { computeStuckKind, describeNotReady, type PodFacts } from '../../dns/pods.ts';
import type { KubeWorkloads } from '../../ports/kube.ts';
import type { StepContext } from '../../run/step-context.ts';
import { pollUntil } from '../../util/retry.ts';
import { readNotYetServing } from './live.ts';

const POLL_MS = 500;

export function podWaitError(what: string, facts: readonly PodFacts[], timeoutMs: number, subjects: Record<string, string>, also?: string): FerryError {
  const stuck = facts.find((f) => !f.terminating && !(f.ready && f.current) && computeStuckKind(f.waiting) !== undefined);
  const why = also ?? describeNotReady(facts);
  const kind = computeStuckKind(stuck?.waiting);
  const message = `${what}: not Ready after ${timeoutMs} ms: ${why}`;
  if (kind === 'image') {
    return new FerryError('DNS_POD_IMAGE_PULL', message, { subjects, hint: 'the image cannot be pulled on the node: is the registry reachable from the nodes, and the image name and tag right (kubectl describe pod)?' });
  }
  if (kind === 'crash') {
    return new FerryError('DNS_POD_CRASHLOOP', message, { subjects, hint: 'the container keeps exiting: read its log (kubectl logs POD --previous); are the new etcd members and master reachable from the nodes?' });
  }
  return new FerryError('DNS_POD_NOT_READY', message, { retryable: true, subjects, hint: 'kubectl describe pod shows why (no Ready node? still starting?); the bound is the step\'s podReadyTimeoutMs' });
}

/** Poll `probe` until it says done; on timeout, fail with the reason of the last pods seen. */
export async function waitForPods(
  ctx: StepContext,
  o: {
    readonly what: string;
    readonly timeoutMs: number;
    readonly subjects: Record<string, string>;
    /** `why`: what is still awaited when the pods themselves are fine (e.g. the endpoints). */
    readonly probe: () => Promise<{ done: boolean; pods: readonly PodFacts[]; why?: string }>;
  },
): Promise<void> {
  let last: readonly PodFacts[] = [];
  let lastWhy: string | undefined;
  let said = '';
  await pollUntil(
    async () => {
      const r = await o.probe();
      last = r.pods;
      lastWhy = r.why;
      const now = r.done ? 'done' : (r.why ?? describeNotReady(r.pods));
      if (now !== said) {
        said = now;
        ctx.progress({ kind: 'dns-wait', data: { what: o.what, status: now } });
      }
      return r.done ? true : undefined;
    },
    { timeoutMs: o.timeoutMs, intervalMs: POLL_MS, sleep: ctx.deps.sleep, now: ctx.deps.now, signal: ctx.signal, onTimeout: () => podWaitError(o.what, last, o.timeoutMs, o.subjects, lastWhy) },
  );
}

/** Poll until no live pod is left (a controller is deleted only once its scale-down took its pods). */
export async function waitForPodsGone(ctx: StepContext, o: { readonly what: string; readonly timeoutMs: number; readonly subjects: Record<string, string>; readonly count: () => Promise<number> }): Promise<void> {
  let left = 0;
  await pollUntil(
    async () => {
      left = await o.count();
      return left === 0 ? true : undefined;
    },
    {
      timeoutMs: o.timeoutMs,
      intervalMs: POLL_MS,
      sleep: ctx.deps.sleep,
      now: ctx.deps.now,
      signal: ctx.signal,
      onTimeout: () =>
        new FerryError('DNS_PODS_NOT_GONE', `${o.what}: ${left} pod(s) still there ${o.timeoutMs} ms after the scale-down`, {
          retryable: true,
          subjects: o.subjects,
          hint: 'is kube-controller running on the master? (it removes the pods of a scaled-down controller); `ferry resume` waits again',
        }),
    },
  );
}

/** The query the gate asks: `kubernetes.default.svc.<domain>`. */
export function buildGateQuery(domain: string): string {
  return `kubernetes.default.svc.${domain.replace(/\.$/, '')}`;
}

/** One try: ask the DNS service for the kubernetes service, compare with its cluster IP. */
export async function checkDnsAnswers(ctx: StepContext, wl: KubeWorkloads, server: string, domain: string, queryTimeoutMs: number): Promise<GateCheck> {
  const query = buildGateQuery(domain);
  const kubernetes = await wl.readService('default', 'kubernetes');
  const want = kubernetes?.spec?.['clusterIP'];
  if (typeof want !== 'string' || want === '') return { name: `${query} answers through ${server}`, ok: false, detail: 'the kubernetes service has no cluster IP on the apiserver' };
  let answer: string[] | string;
  try {
    answer = await ctx.deps.resolveA(server, query, queryTimeoutMs);
  } catch (err) {
    answer = messageOf(err);
  }
  return computeDnsAnswerCheck(query, server, answer, want);
}

/** Poll `checks` until all pass or `timeoutMs` passes; the last checks either way. */
export async function pollChecks(ctx: StepContext, timeoutMs: number, checks: () => Promise<GateCheck[]>): Promise<GateCheck[]> {
  let last: GateCheck[] = [];
  const timedOut = new Error('timeout');
  try {
    await pollUntil(
      async () => {
        try {
          last = await checks();
        } catch (err) {
          // An apiserver that does not answer for a moment is a failed check, retried like the others.
          if (!(err instanceof FerryError && err.retryable)) throw err;
          last = [{ name: 'the apiserver answers', ok: false, detail: err.message }];
        }
        return last.every((c) => c.ok) ? true : undefined;
      },
      { timeoutMs, intervalMs: POLL_MS, sleep: ctx.deps.sleep, now: ctx.deps.now, signal: ctx.signal, onTimeout: () => timedOut },
    );
  } catch (err) {
    if (err !== timedOut) throw err;
  }
  return last;
}

/**
 * How long pods must have been listed in the service's endpoints before the pods they replace go: kube-proxy
 * programs its rules a moment after the endpoints change (its sync period; the lab's batches changes for 1 s), and
 * until it has, queries still go to the old pods.
 */
export const SERVING_SETTLE_MS = 3_000;

/**
 * Before the pods of one side go (a scale-down): the Ready pods that take over, if they are behind the DNS
 * service, must be listed in its endpoints, for SERVING_SETTLE_MS. At once for pods not behind it (kube2sky's).
 */
export async function waitServing(
  ctx: StepContext,
  wl: KubeWorkloads,
  o: { readonly namespace: string; readonly service: string; readonly podLabels: Record<string, string> | undefined; readonly what: string; readonly timeoutMs: number; readonly subjects: Record<string, string>; readonly readPods: () => Promise<readonly PodFacts[]> },
): Promise<void> {
  let since: number | undefined;
  await waitForPods(ctx, {
    what: o.what,
    timeoutMs: o.timeoutMs,
    subjects: o.subjects,
    probe: async () => {
      const pods = await o.readPods();
      const waiting = await readNotYetServing(wl, o.namespace, o.service, o.podLabels, pods);
      if (waiting === undefined) return { done: true, pods };
      if (waiting.length > 0) {
        since = undefined;
        return { done: false, pods, why: `Ready, not yet in ${o.service}'s endpoints: ${waiting.join(', ')}` };
      }
      since ??= ctx.deps.now();
      const left = SERVING_SETTLE_MS - (ctx.deps.now() - since);
      return { done: left <= 0, pods, why: `in ${o.service}'s endpoints; giving kube-proxy ${left} ms more` };
    },
  });
}
