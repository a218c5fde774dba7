/**
 * After the migration: read back every key the writer wrote, in pages, from each member of the final cluster, and
 * count the acknowledged writes that are missing or hold another value there ("lost").
 */
import { Etcd3 } from 'etcd3';
import type { WriteRecord } from './writer.ts';

export interface ReadBackOptions {
  /** Keys per range request; default 1000. */
  readonly pageSize?: number;
  /** A serializable read answers from the member's own store; default false (linearizable, via the leader). */
  readonly serializable?: boolean;
  /** gRPC deadline of one page, in ms; default 5000. */
  readonly pageTimeoutMs?: number;
}

/** The smallest key greater than every key that starts with `prefix` (etcd's `--prefix` range end). */
function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

/** Every key under `prefix` on one member, with its value, read in pages. */
export async function readKeysUnder(endpoint: string, prefix: string, o: ReadBackOptions = {}): Promise<Map<string, string>> {
  const client = new Etcd3({ hosts: endpoint });
  const found = new Map<string, string>();
  const end = prefixEnd(Buffer.from(prefix));
  let start = Buffer.from(prefix);
  try {
    for (;;) {
      const res = await client.kv.range(
        { key: start, range_end: end, limit: o.pageSize ?? 1000, serializable: o.serializable ?? false },
        { deadline: new Date(Date.now() + (o.pageTimeoutMs ?? 5000)) },
      );
      for (const kv of res.kvs) found.set(kv.key.toString(), kv.value.toString());
      const last = res.kvs[res.kvs.length - 1];
      if (!res.more || last === undefined) return found;
      start = Buffer.concat([last.key, Buffer.from([0])]);
    }
  } finally {
    client.close();
  }
}

export interface LossReport {
  readonly endpoint: string;
  /** Keys under the prefix on this member. */
  readonly keys: number;
  /** Acknowledged writes that are absent, or hold another value. */
  readonly lost: number;
  /** Up to 10 of the lost keys, for the report. */
  readonly examples: readonly string[];
}

export function computeLoss(endpoint: string, records: readonly WriteRecord[], found: ReadonlyMap<string, string>): LossReport {
  const lostKeys = records.filter((r) => r.ackAt !== undefined && found.get(r.key) !== r.value).map((r) => r.key);
  return { endpoint, keys: found.size, lost: lostKeys.length, examples: lostKeys.slice(0, 10) };
}

/** Read back from each endpoint; a member that cannot be read is an error (the final cluster must answer). */
export async function verifyAcknowledged(records: readonly WriteRecord[], endpoints: readonly string[], prefix: string): Promise<LossReport[]> {
  const reports: LossReport[] = [];
  for (const endpoint of endpoints) reports.push(computeLoss(endpoint, records, await readKeysUnder(endpoint, prefix)));
  return reports;
}
