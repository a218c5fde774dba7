/**
 * What a starting apiserver puts in place and then keeps up (the real one's bootstrap controller and lease
 * endpoint reconciler): namespaces `default` and `kube-system`; the `kubernetes` service at the range's first
 * address; a masterlease `<prefix>/masterleases/<ip>` under a 15 s etcd lease, renewed every 5 s; and the
 * `kubernetes` endpoints listing every apiserver that holds a lease. A master that stops leaves its lease behind
 * until the TTL runs out (docs/design/safety-rules.md §5.6).
 */
import type { ApiserverContext } from './context.ts';
import { computeFirstServiceIp } from './ip-range.ts';
import { asObject, deepEqual } from './json.ts';
import type { KubeObject } from './json.ts';
import { createObject, readObject, updateObject } from './registry.ts';
import { buildMasterLeaseKey, buildObjectKey, findResource } from './resources.ts';
import type { ResourceSpec } from './resources.ts';
import { isApiError } from './status.ts';

export interface MasterOptions {
  /** The address in the `kubernetes` endpoints and the masterlease key. */
  readonly ip: string;
  readonly port: number;
  readonly leaseTtlSeconds?: number;
  readonly intervalMs?: number;
  readonly logError: (line: string) => void;
}

function spec(name: string): ResourceSpec {
  const found = findResource(name);
  if (found === undefined) throw new Error(`resource ${name} is not served`);
  return found;
}

async function ensureCreated(ctx: ApiserverContext, resource: string, namespace: string | undefined, obj: KubeObject): Promise<void> {
  const key = buildObjectKey(ctx.prefix, spec(resource), namespace, obj.metadata.name ?? '');
  if ((await ctx.store.get(key)) !== undefined) return;
  try {
    await createObject(ctx, spec(resource), namespace, obj);
  } catch (err) {
    if (!(isApiError(err) && err.code === 409)) throw err;
  }
}

export function buildKubernetesService(ctx: ApiserverContext, port: number): KubeObject {
  return {
    kind: 'Service',
    apiVersion: 'v1',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      clusterIP: computeFirstServiceIp(ctx.serviceRange),
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }],
      sessionAffinity: 'None',
      type: 'ClusterIP',
    },
  };
}

/** The value of a masterlease, an Endpoints object as the lease reconciler writes it. */
export function buildMasterLeaseValue(ip: string, port: number): string {
  return JSON.stringify({
    kind: 'Endpoints',
    apiVersion: 'v1',
    metadata: { name: ip, creationTimestamp: null },
    subsets: [{ addresses: [{ ip }], ports: [{ port, protocol: 'TCP' }] }],
  });
}

export function buildMasterSubsets(ips: readonly string[], port: number): unknown[] {
  const sorted = [...new Set(ips)].sort();
  return sorted.length === 0 ? [] : [{ addresses: sorted.map((ip) => ({ ip })), ports: [{ name: 'https', port, protocol: 'TCP' }] }];
}

export async function bootstrapCluster(ctx: ApiserverContext, port: number): Promise<void> {
  for (const name of ['default', 'kube-system']) await ensureCreated(ctx, 'namespaces', undefined, { metadata: { name } });
  await ensureCreated(ctx, 'services', 'default', buildKubernetesService(ctx, port));
  const existing = await readObject(ctx, spec('services'), 'default', 'kubernetes');
  const wanted = asObject(buildKubernetesService(ctx, port)['spec'])['ports'];
  if (!deepEqual(asObject(existing['spec'])['ports'], wanted)) {
    await updateObject(ctx, spec('services'), 'default', 'kubernetes', (cur) => ({ ...(cur as KubeObject), spec: { ...asObject(cur?.['spec']), ports: wanted } }));
  }
}

async function renewLeaseAndEndpoints(ctx: ApiserverContext, opts: MasterOptions): Promise<void> {
  const leasePrefix = buildMasterLeaseKey(ctx.prefix, '');
  await ctx.store.putWithNewLease(buildMasterLeaseKey(ctx.prefix, opts.ip), buildMasterLeaseValue(opts.ip, opts.port), opts.leaseTtlSeconds ?? 15);
  const ips = (await ctx.store.listKeys(leasePrefix)).map((k) => k.slice(leasePrefix.length));
  const subsets = buildMasterSubsets(ips, opts.port);
  await updateObject(
    ctx, spec('endpoints'), 'default', 'kubernetes',
    (cur) => (cur !== undefined && deepEqual(cur['subsets'], subsets) ? cur : { ...(cur ?? { metadata: { name: 'kubernetes', namespace: 'default' } }), subsets }),
    { allowCreate: true },
  );
}

/**
 * Bootstraps (retrying until etcd answers), then renews the lease and the endpoints every interval. stop() ends the
 * loop; the lease is left to expire, as a crashed or stopped real apiserver leaves it.
 */
export function startMasterLoop(ctx: ApiserverContext, opts: MasterOptions): { stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let bootstrapped = false;
  let lastError = '';
  const tick = async (): Promise<void> => {
    try {
      if (!bootstrapped) {
        await bootstrapCluster(ctx, opts.port);
        bootstrapped = true;
      }
      await renewLeaseAndEndpoints(ctx, opts);
      lastError = '';
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // One line per distinct failure, not one per tick.
      if (message !== lastError) opts.logError(`master bootstrap/lease: ${message}`);
      lastError = message;
    }
    if (!stopped) timer = setTimeout(() => void tick(), bootstrapped ? (opts.intervalMs ?? 5000) : 1000);
  };
  void tick();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
