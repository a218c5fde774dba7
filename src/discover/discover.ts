/**
 * `ferry discover`'s reading of a live cluster (runbook "before you start": what runs where), in one pass: the etcd
 * members and who leads, each member's files, the master's units and sysconfig files, the apiserver's nodes, the
 * DNS add-on and, when given, the DomeOS console's record of the cluster. Read-only: nothing is changed anywhere.
 */
import { FerryError, isFerryError, messageOf } from '../errors.ts';
import type { Host } from '../ports/host.ts';
import type { DiscoverDeps } from '../ports/discover-deps.ts';
import type { DiscoverInput } from './input.ts';
import { buildInventoryName } from './input.ts';
import { computeApiserverURL } from './master-facts.ts';
import { readEtcdFacts } from './read-etcd.ts';
import { readApiserver, readDnsFacts } from './read-kube.ts';
import { readMasterFacts } from './read-master.ts';
import { withTimeout } from './bounded.ts';
import type { ConsoleFacts, Discovery, MasterFacts } from './types.ts';

/** Bound on reading the master (connecting, its files, units and `kube-apiserver --version`). */
const MASTER_READ_TIMEOUT_MS = 60_000;
const CONSOLE_TIMEOUT_MS = 30_000;

/** Connecting to the master, or reading it, failed in the host adapter (HOST_*, LAB_HOST_UNKNOWN, ...). */
function masterUnreachable(address: string, err: unknown): FerryError {
  return new FerryError('DISCOVER_MASTER_UNREACHABLE', `cannot read the master ${address}: ${messageOf(err)}`, {
    retryable: isFerryError(err) && err.retryable,
    subjects: { host: address },
    hint: isFerryError(err) && err.hint !== undefined ? err.hint : 'check --master and the SSH options (ssh -i KEY USER@HOST must work from this machine)',
    cause: err,
  });
}

async function readMaster(address: string, deps: DiscoverDeps): Promise<MasterFacts> {
  try {
    return await withTimeout(`reading the master ${address}`, MASTER_READ_TIMEOUT_MS, { host: address }, async () => readMasterFacts(await deps.host(address)));
  } catch (err) {
    if (isFerryError(err) && err.code.startsWith('DISCOVER_')) throw err;
    throw masterUnreachable(address, err);
  }
}

async function readConsole(target: NonNullable<DiscoverInput['console']>, deps: DiscoverDeps): Promise<ConsoleFacts> {
  return withTimeout(`reading the DomeOS console ${target.url}`, CONSOLE_TIMEOUT_MS, { console: target.url }, async () => {
    const session = await deps.console(target.url).login(target.credentialsFile !== undefined ? { credentialsFile: target.credentialsFile } : {});
    const record = await session.readCluster(target.cluster);
    return {
      url: target.url,
      cluster: target.cluster,
      id: record.id,
      api: record.api,
      etcd: record.etcd,
      ...(target.credentialsFile !== undefined ? { credentialsFile: target.credentialsFile } : {}),
    };
  });
}

export async function readDiscovery(input: DiscoverInput, deps: DiscoverDeps, now: () => Date = () => new Date()): Promise<Discovery> {
  const openHost = (address: string): Promise<Host> => deps.host(address);
  // The master first: a wrong --master is the likeliest mistake and the cheapest to report.
  const master = await readMaster(input.master, deps);
  const etcd = await readEtcdFacts(deps.etcd, input.etcd, openHost);
  const { url, source } = computeApiserverURL(input.apiserver, master.apiserverFlags, master.host);
  const apiserverState = master.units.find((u) => u.name === 'kube-apiserver')?.state;
  const api = await readApiserver(deps.kube(url), apiserverState);
  const dns = await readDnsFacts(deps.workloads(url));
  const consoleFacts = input.console === undefined ? undefined : await readConsole(input.console, deps);
  return {
    name: buildInventoryName(input, consoleFacts?.cluster),
    access: input.access,
    etcd,
    master,
    apiserver: { url, source, ...(api.version !== undefined ? { version: api.version } : {}) },
    nodes: api.nodes,
    ...(dns !== undefined ? { dns } : {}),
    ...(consoleFacts !== undefined ? { console: consoleFacts } : {}),
    at: now().toISOString(),
  };
}
