/**
 * Progress of a long wait, journaled for the views (not needed for resume): each kind, its data, and its one text,
 * shown by the terminal view, the dashboard and the report alike. The mapped renderer table makes a kind without a
 * text a compile error.
 */
import type { RolloutProgress } from '../fleet/rollout.ts';

export type Progress =
  /** A learner catching up with the leader (etcd steps). Indexes as decimal strings: they are 64-bit. */
  | { readonly kind: 'catch-up'; readonly data: { readonly member: string; readonly applied: string; readonly leaderIndex: string; readonly percent: number } }
  /** The node fleet's rollout (nodes.repoint). */
  | { readonly kind: 'rollout'; readonly data: RolloutProgress }
  /** One DNS controller rolled to its next version (dns.update). */
  | { readonly kind: 'dns-rolled'; readonly data: { readonly from: string; readonly to: string; readonly replicas: number } }
  /** What the DNS step waits for, and where it stands (dns.update). */
  | { readonly kind: 'dns-wait'; readonly data: { readonly what: string; readonly status: string } };

export type ProgressKind = Progress['kind'];
type DataOf<K extends ProgressKind> = Extract<Progress, { kind: K }>['data'];

const TEXT: { readonly [K in ProgressKind]: (d: DataOf<K>) => string } = {
  'catch-up': (d) => `catch-up ${d.member}: ${d.percent}% (applied ${d.applied} of leader index ${d.leaderIndex})`,
  rollout: (d) => `nodes: ${d.done}/${d.total} done, ${d.failed} failed, ${d.running} running (${d.phase === 'canary' ? 'canary' : `batch ${d.batch}`})`,
  'dns-rolled': (d) => `DNS: ${d.from} rolled to ${d.to} (${d.replicas} ${d.replicas === 1 ? 'replica' : 'replicas'})`,
  'dns-wait': (d) => `DNS: ${d.what}: ${d.status}`,
};

/**
 * The text of a progress event as read back from a journal. A kind this version does not know (a journal written
 * by another version) is shown as its fields.
 */
export function renderProgress(p: { readonly kind: string; readonly data: object }): string {
  const render = (TEXT as unknown as Record<string, ((d: object) => string) | undefined>)[p.kind];
  if (render !== undefined) return render(p.data);
  return `${p.kind}: ${Object.entries(p.data).map(([k, v]: [string, unknown]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ')}`;
}
