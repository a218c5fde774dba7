/** How the planner and the steps tell that two URLs, or a live member and an inventory member, are the same. */
import type { EtcdMember } from '../inventory/types.ts';
import type { ObservedMember } from '../observe/types.ts';

/** The live member `m` is the inventory's `member`: one of its peer URLs is the member's. */
export function samePeer(m: ObservedMember, member: EtcdMember): boolean {
  return m.peerURLs.some((u) => sameURL(u, member.peerURL));
}

/** URLs compare by origin, so `http://1.2.3.4:4010/` equals `http://1.2.3.4:4010`. */
export function sameURL(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return a === b;
  }
}
