/**
 * Dumping etcd's v2 store into the run folder: one quorum read of the whole tree (`GET /v2/keys/?recursive=true&
 * quorum=true`, consistent at the index in `X-Etcd-Index`), written durably beside the v3 snapshot with its sha256.
 * etcd 3.4 serves the v2 API only with `--enable-v2`; without it (HTTP 404) there is no v2 store to dump.
 */
import { createHash } from 'node:crypto';
import { FerryError } from '../../errors.ts';
import { countV2, parseV2Answer, renderV2Dump, type V2DumpInfo, type V2Store } from '../../etcd/v2-store.ts';
import { writeFileDurably } from '../durable-file.ts';
import { getFromEtcd, parseJsonAnswer, type EtcdHttpTls } from './http.ts';

/** The whole v2 store, or undefined when the member serves no v2 API. */
export async function readV2Store(endpoint: string, tls: EtcdHttpTls | undefined, timeoutMs: number): Promise<V2Store | undefined> {
  const answer = await getFromEtcd(endpoint, '/v2/keys/?recursive=true&sorted=true&quorum=true', tls, timeoutMs);
  if (answer.status === 404 && !/"errorCode"/.test(answer.text)) return undefined; // no v2 API (etcd 3.4 without --enable-v2)
  const root = answer.status === 200 ? parseV2Answer(parseJsonAnswer(answer)) : undefined;
  const index = answer.headers['x-etcd-index'];
  if (root === undefined || typeof index !== 'string') {
    throw new FerryError('ETCD_V2_UNREADABLE', `the v2 store of ${endpoint} could not be read (HTTP ${answer.status}: ${answer.text.slice(0, 200)})`, {
      retryable: true,
      subjects: { endpoint },
      hint: 'a quorum read needs a leader: check `etcdctl endpoint health --cluster`, then `ferry resume`',
    });
  }
  return { index, root };
}

/** Reads the v2 store from `endpoint` and writes it to `path`; undefined (nothing written) without a v2 API. */
export async function saveV2Dump(endpoint: string, path: string, tls: EtcdHttpTls | undefined, timeoutMs: number, now: Date): Promise<V2DumpInfo | undefined> {
  const store = await readV2Store(endpoint, tls, timeoutMs);
  if (store === undefined) return undefined;
  const text = renderV2Dump(store, endpoint, now.toISOString());
  writeFileDurably(path, text);
  return { path, sha256: createHash('sha256').update(text).digest('hex'), index: store.index, ...countV2(store.root), endpoint };
}
