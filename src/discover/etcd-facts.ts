/**
 * The etcd side of discovery, pure: a member's files (its unit and the sysconfig file the unit reads, DomeOS's
 * start_etcd.sh layout, docs/design/domeos.md §2.4) → data dir, binary, token; and the live member list with statuses → one
 * {@link MemberFacts} per member, its host taken from its peer URL.
 */
import { posix } from 'node:path';
import type { EtcdReading } from '../observe/etcd.ts';
import type { ServiceState } from '../ports/host.ts';
import { parseEndpointURL } from '../inventory/urls.ts';
import { parseEnvironmentFile } from '../sysconfig/envfile.ts';
import { readArgvFlag } from './argv-flags.ts';
import type { MemberFacts, MemberFiles } from './types.ts';
import { buildCommandLine, parseUnitSummary, readExecProgram } from './unit-facts.ts';
import type { UnitSummary } from './unit-facts.ts';

export interface MemberFileTexts {
  /** The service name the unit was looked up by. */
  readonly service: string;
  readonly unit?: { readonly path: string; readonly text: string };
  readonly sysconfig?: { readonly path: string; readonly text: string };
  readonly serviceState?: ServiceState;
}

/** etcd reads ETCD_<FLAG> variables itself when the flag is not given (etcd's `pkg/flags`). */
function fromFlagOrEnv(argv: readonly string[], env: ReadonlyMap<string, string>, flag: string): string | undefined {
  const value = readArgvFlag(argv, flag) ?? env.get(`ETCD_${flag.toUpperCase().replaceAll('-', '_')}`);
  return value === undefined || value === '' ? undefined : value;
}

export function buildMemberFiles(texts: MemberFileTexts): MemberFiles {
  const notes: string[] = [];
  const state = texts.serviceState !== undefined ? { serviceState: texts.serviceState } : {};
  if (texts.unit === undefined && texts.sysconfig === undefined) return { source: 'missing', ...state, notes };
  let unit: UnitSummary | undefined;
  if (texts.unit !== undefined) {
    const parsed = parseUnitSummary(texts.unit.text, `${texts.service}.service`);
    if (parsed.ok) unit = parsed.unit;
    else notes.push(`${texts.unit.path} could not be read as a unit file (${parsed.reason})`);
  }
  const argv = buildCommandLine(unit, texts.sysconfig?.text);
  const env = texts.sysconfig === undefined ? new Map<string, string>() : parseEnvironmentFile(texts.sysconfig.text);
  let binary = unit === undefined ? undefined : readExecProgram(unit);
  if (binary !== undefined && posix.basename(binary) !== 'etcd') {
    notes.push(`${texts.service}.service runs ${binary}, not an etcd binary: binary left at the default`);
    binary = undefined;
  }
  let dataDir = fromFlagOrEnv(argv, env, 'data-dir');
  if (dataDir !== undefined && !dataDir.startsWith('/')) {
    notes.push(`the data dir ${dataDir} is not an absolute path: dataDir left at the default`);
    dataDir = undefined;
  }
  const name = fromFlagOrEnv(argv, env, 'name');
  const token = fromFlagOrEnv(argv, env, 'initial-cluster-token');
  return {
    source: 'read',
    ...(texts.unit !== undefined ? { unitPath: texts.unit.path, service: texts.service } : {}),
    ...(binary !== undefined ? { binary } : {}),
    ...(texts.sysconfig !== undefined ? { configFile: texts.sysconfig.path } : {}),
    ...(dataDir !== undefined ? { dataDir } : {}),
    ...(token !== undefined ? { clusterToken: token } : {}),
    ...(name !== undefined ? { sysconfigName: name } : {}),
    ...state,
    notes,
  };
}

/** The host of a member: its peer URL's host (the inventory requires both URLs on the member's host). */
export function computeMemberHost(peerURLs: readonly string[], clientURLs: readonly string[]): string | undefined {
  for (const raw of [...peerURLs, ...clientURLs]) {
    const r = parseEndpointURL(raw, 'slash');
    if (r.ok && r.url.host !== '0.0.0.0' && r.url.host !== '::') return r.url.host;
  }
  return undefined;
}

/** The URL of `urls` on `host`, else the first. */
export function pickURL(urls: readonly string[], host: string | undefined): string | undefined {
  const onHost = urls.find((u) => {
    const r = parseEndpointURL(u, 'slash');
    return r.ok && r.url.host === host;
  });
  return onHost ?? urls[0];
}

export function buildMemberFacts(state: EtcdReading, files: ReadonlyMap<string, MemberFiles>): MemberFacts[] {
  const leaderId = state.observed.leaderId;
  return state.members.map((m) => {
    const status = state.statuses.get(m.id);
    const statusError = state.unreachable.get(m.id);
    const host = computeMemberHost(m.peerURLs, m.clientURLs);
    return {
      id: m.id,
      name: m.name,
      peerURLs: m.peerURLs,
      clientURLs: m.clientURLs,
      isLearner: m.isLearner,
      ...(host !== undefined ? { host } : {}),
      isLeader: leaderId !== '0' && m.id === leaderId,
      ...(status !== undefined ? { version: status.version } : {}),
      ...(statusError !== undefined ? { statusError } : {}),
      files: files.get(m.id) ?? { source: 'unreachable', reason: 'not read', notes: [] },
    };
  });
}
