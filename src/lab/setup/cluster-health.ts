/**
 * Waiting for the lab's freshly started cluster: every member answers `/health` with `{"health":"true"}` and all
 * of them name the same, non-zero leader (maintenance status through etcd3).
 */
import { Etcd3 } from 'etcd3';
import { setTimeout as sleep } from 'node:timers/promises';
import { messageOf } from '../../errors.ts';
import { readLabEtcdCredentials, sendLabRequest, type LabClientTls } from './tls.ts';

const PROBE_TIMEOUT_MS = 1_000;

export interface LabClusterProbe {
  readonly healthy: boolean;
  /** The leader's member id (decimal) when every member agrees on one. */
  readonly leader?: string;
  /** Why it is not healthy yet, per endpoint. */
  readonly problems: readonly string[];
}

async function probeHealth(clientURL: string, tls: LabClientTls | undefined): Promise<string | undefined> {
  try {
    const res = await sendLabRequest(`${clientURL}/health`, { timeoutMs: PROBE_TIMEOUT_MS, ...(tls !== undefined ? { tls } : {}) });
    const body = JSON.parse(res.text) as { health?: unknown };
    return body.health === 'true' ? undefined : `${clientURL}: /health says ${JSON.stringify(body)}`;
  } catch (err) {
    return `${clientURL}: ${messageOf(err)}`;
  }
}

async function probeLeader(clientURL: string, tls: LabClientTls | undefined): Promise<string> {
  const client = new Etcd3({ hosts: [clientURL], dialTimeout: PROBE_TIMEOUT_MS, credentials: readLabEtcdCredentials(tls) });
  try {
    const status = await client.maintenance.status({ deadline: Date.now() + PROBE_TIMEOUT_MS });
    return status.leader;
  } finally {
    client.close();
  }
}

export async function readLabClusterProbe(clientURLs: readonly string[], tls?: LabClientTls): Promise<LabClusterProbe> {
  const problems = (await Promise.all(clientURLs.map((url) => probeHealth(url, tls)))).filter((p): p is string => p !== undefined);
  if (problems.length > 0) return { healthy: false, problems };
  const leaders = await Promise.all(clientURLs.map((url) => probeLeader(url, tls).catch((err: unknown) => `error: ${messageOf(err)}`)));
  const distinct = new Set(leaders);
  const leader = leaders[0];
  if (distinct.size !== 1 || leader === undefined || leader === '0' || leader.startsWith('error')) {
    return { healthy: false, problems: clientURLs.map((url, i) => `${url}: leader ${leaders[i] ?? '?'}`) };
  }
  return { healthy: true, leader, problems: [] };
}

export interface WaitForLabClusterOptions {
  /** Default 30 000 ms. */
  readonly timeoutMs?: number;
  /** Checked between probes: a reason to stop waiting at once (e.g. a unit failed). */
  readonly failFast?: () => Promise<string | undefined>;
  /** The lab's client certificate and CA, for a TLS lab. */
  readonly tls?: LabClientTls;
}

/** Wait until the cluster is healthy. Returns the last probe (healthy or not) and, if any, the fail-fast reason. */
export async function waitForLabCluster(clientURLs: readonly string[], options: WaitForLabClusterOptions = {}): Promise<LabClusterProbe & { failed?: string }> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const probe = await readLabClusterProbe(clientURLs, options.tls);
    if (probe.healthy) return probe;
    const failed = await options.failFast?.();
    if (failed !== undefined) return { ...probe, failed };
    if (Date.now() >= deadline) return probe;
    await sleep(200);
  }
}
