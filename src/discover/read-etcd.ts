/**
 * Reading the live etcd cluster for discovery: the member list and who leads (through any endpoint the operator
 * gave), then, on each member's host, its etcd unit and the sysconfig file that unit reads. A member host that
 * cannot be reached is not an error: its settings stay etcd.defaults and a warning says so.
 */
import { FerryError, messageOf } from '../errors.ts';
import { readEtcdState, type EtcdReading } from '../observe/etcd.ts';
import type { EtcdAdmin } from '../ports/etcd.ts';
import type { Host } from '../ports/host.ts';
import { unitFileCandidates } from '../master/files.ts';
import { withTimeout } from './bounded.ts';
import { buildMemberFacts, buildMemberFiles, type MemberFileTexts } from './etcd-facts.ts';
import type { EtcdFacts, MemberFiles } from './types.ts';
import { readFirstFile } from './read-files.ts';
import { parseUnitSummary } from './unit-facts.ts';

/** DomeOS's start_etcd.sh: unit `etcd`, flags in /etc/sysconfig/etcd (docs/design/domeos.md §2.4). */
const ETCD_SERVICE = 'etcd';
const ETCD_SYSCONFIG = '/etc/sysconfig/etcd';
/** Bound on reading one member's files (connecting included). */
const MEMBER_READ_TIMEOUT_MS = 30_000;

/** The etcd unit of a host and the sysconfig file it reads (or /etc/sysconfig/etcd without a unit). */
export async function readMemberFileTexts(host: Host, service = ETCD_SERVICE): Promise<MemberFileTexts> {
  const unit = await readFirstFile(host, unitFileCandidates(service));
  const parsed = unit === undefined ? undefined : parseUnitSummary(unit.text, `${service}.service`);
  const envFiles = parsed?.ok === true ? parsed.unit.environmentFiles : [];
  const sysconfig = await readFirstFile(host, envFiles.length > 0 ? envFiles : [ETCD_SYSCONFIG]);
  const serviceState = unit === undefined ? undefined : await host.serviceState(service);
  return { service, ...(unit !== undefined ? { unit } : {}), ...(sysconfig !== undefined ? { sysconfig } : {}), ...(serviceState !== undefined ? { serviceState } : {}) };
}

async function readMemberFiles(address: string, openHost: (address: string) => Promise<Host>): Promise<MemberFiles> {
  try {
    return await withTimeout(`reading etcd's files on ${address}`, MEMBER_READ_TIMEOUT_MS, { host: address }, async () => {
      const host = await openHost(address);
      return buildMemberFiles(await readMemberFileTexts(host));
    });
  } catch (err) {
    return { source: 'unreachable', reason: messageOf(err).split('\n')[0] ?? 'unreachable', notes: [] };
  }
}

export async function readEtcdFacts(admin: EtcdAdmin, endpoints: readonly string[], openHost: (address: string) => Promise<Host>): Promise<EtcdFacts> {
  let state: EtcdReading;
  try {
    state = await readEtcdState(admin);
  } catch (err) {
    throw new FerryError('DISCOVER_ETCD_UNREACHABLE', `cannot read the etcd member list through ${endpoints.join(',')}: ${messageOf(err)}`, {
      retryable: true,
      subjects: { endpoint: endpoints.join(',') },
      hint: 'give --etcd the client URL of a running member (etcdctl --endpoints=URL member list must work from this machine)',
      cause: err,
    });
  }
  const hosts = new Map<string, Promise<MemberFiles>>();
  const files = new Map<string, MemberFiles>();
  await Promise.all(
    buildMemberFacts(state, new Map()).map(async (m) => {
      if (m.host === undefined || m.name === '') return;
      let pending = hosts.get(m.host);
      if (pending === undefined) {
        pending = readMemberFiles(m.host, openHost);
        hosts.set(m.host, pending);
      }
      files.set(m.id, await pending);
    }),
  );
  const members = buildMemberFacts(state, files);
  const leader = members.find((m) => m.isLeader)?.name;
  return { endpoints, members, ...(leader !== undefined && leader !== '' ? { leader } : {}) };
}
