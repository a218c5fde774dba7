/**
 * The member list as a decision needs it: one that includes every change ferry made before asking.
 *
 * etcd (3.4 and earlier) answers MemberList from the serving member's applied state, without asking the leader. A
 * member that has not applied a change yet answers without it: right after an add, a follower may list the cluster
 * without the new member; right after a removal, with the removed one. Read that way, "not found" would be taken for
 * "already removed" or "already promoted", and a step would skip what it must do.
 *
 * So every decision taken from the member list right after a change reads it here:
 *   - {@link readMembershipNow}: a linearizable read through a voter first, then that voter's member list. etcd serves
 *     a linearizable read only once the member has applied everything committed when the read began (its applied
 *     index reaches the read index), and every change ferry made was committed before that; so the list the same
 *     member gives next includes them all. "Not found" there means not a member.
 *   - {@link readMembershipSeeing}: the same, read again until it shows what ferry knows it did (the id its add
 *     returned), within a bound, so that a view that is still behind is never read as another state.
 */
import { FerryError, messageOf } from '../../errors.ts';
import type { MemberInfo } from '../../etcd/types.ts';
import type { StepContext } from '../../run/step-context.ts';
import { pollUntil } from '../../util/retry.ts';

/** How long a view that is behind is read again before the step gives up (retryable: `ferry resume` reads again). */
export const MEMBERSHIP_CATCH_UP_MS = 10_000;

/**
 * The member list as of now, through a voter that has applied every change committed before this call. The voters
 * are tried one by one (those the last list names first, then every client URL of the inventory), each on its own
 * connection: a member that is down, or a learner, refuses and the next is asked.
 */
export async function readMembershipNow(ctx: StepContext): Promise<MemberInfo[]> {
  const admin = ctx.deps.etcd;
  const known = await admin.memberList().catch(() => [] as MemberInfo[]);
  const inventoryURLs = [...ctx.inventory.etcd.old, ...ctx.inventory.etcd.new].map((m) => m.clientURL);
  const candidates = [...new Set([...known.filter((m) => !m.isLearner).flatMap((m) => m.clientURLs.slice(0, 1)), ...inventoryURLs])];
  const failures: string[] = [];
  for (const url of candidates) {
    try {
      await admin.linearizableRead(url);
      return await admin.memberList(url);
    } catch (err) {
      failures.push(`${url}: ${messageOf(err)}`);
    }
  }
  throw new FerryError('ETCD_MEMBERSHIP_UNREADABLE', `no voter answered a linearizable read, so the member list cannot be read as it stands now (${failures.join('; ') || 'no client URL to ask'})`, {
    retryable: true,
    hint: 'check that a quorum of the members is up and reachable (etcdctl endpoint health --cluster); `ferry resume` reads again',
  });
}

/**
 * The member list as of now, read again until `sees` holds (ferry's own change is visible), for at most
 * {@link MEMBERSHIP_CATCH_UP_MS}. `what` names the change in the error.
 */
export async function readMembershipSeeing(ctx: StepContext, what: string, sees: (members: readonly MemberInfo[]) => boolean, timeoutMs = MEMBERSHIP_CATCH_UP_MS): Promise<MemberInfo[]> {
  let last: MemberInfo[] = [];
  return pollUntil(
    async () => {
      try {
        last = await readMembershipNow(ctx);
      } catch (err) {
        if (err instanceof FerryError && err.retryable) return undefined; // a voter busy or restarting: ask again
        throw err;
      }
      return sees(last) ? last : undefined;
    },
    {
      timeoutMs,
      intervalMs: 100,
      sleep: ctx.deps.sleep,
      now: ctx.deps.now,
      signal: ctx.signal,
      onTimeout: () =>
        new FerryError('ETCD_MEMBERSHIP_NOT_VISIBLE', `the member list did not show ${what} within ${timeoutMs} ms (it lists ${last.map((m) => m.name || m.id).join(', ') || 'nobody'})`, {
          retryable: true,
          hint: 'a member may be far behind, or the change was undone by someone else; `ferry resume` reads the cluster again and adopts what it finds',
        }),
    },
  );
}
