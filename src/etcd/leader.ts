/** Who leads, as the members' own statuses say (pure). */
import type { EndpointStatus } from './types.ts';

/** The leader most members name; "0" when no majority of the answering members agrees. Pure. */
export function computeAgreedLeader(statuses: readonly EndpointStatus[]): string {
  const votes = new Map<string, number>();
  for (const s of statuses) if (s.leaderId !== '0') votes.set(s.leaderId, (votes.get(s.leaderId) ?? 0) + 1);
  let best = '0';
  let bestVotes = 0;
  for (const [id, n] of votes) if (n > bestVotes) [best, bestVotes] = [id, n];
  return bestVotes * 2 > statuses.length ? best : '0';
}
