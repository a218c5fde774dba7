/**
 * `GET /version` on a member's client URL (etcd 2.x and 3.x answer it alike, without auth), so that a member too
 * old for the v3 API is told apart from a member that is down.
 */
import { FerryError } from '../../errors.ts';
import { parseEtcdVersionAnswer, type EtcdVersion } from '../../etcd/versions.ts';
import { getFromEtcd, parseJsonAnswer, type EtcdHttpTls } from './http.ts';

export async function readEtcdVersion(endpoint: string, tls: EtcdHttpTls | undefined, timeoutMs: number): Promise<EtcdVersion> {
  const answer = await getFromEtcd(endpoint, '/version', tls, timeoutMs);
  const version = answer.status === 200 ? parseEtcdVersionAnswer(parseJsonAnswer(answer)) : undefined;
  if (version !== undefined) return version;
  throw new FerryError('ETCD_UNAVAILABLE', `${endpoint}/version is not an etcd version answer (HTTP ${answer.status}: ${answer.text.slice(0, 200)})`, {
    retryable: true,
    subjects: { endpoint },
    hint: 'check that this client URL is an etcd member',
  });
}
