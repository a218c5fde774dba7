/**
 * A lenient view of an inventory for the cross-field checks: each section, and each list entry, is parsed on its
 * own, so a mistake in one place (already reported by the whole-file parse) does not hide the cross-field problems
 * everywhere else. Entries that do not parse are left out, keeping their original index for paths.
 */
import {
  AccessFileSchema,
  DEFAULTS,
  DomeosFileSchema,
  EtcdDefaultsFileSchema,
  EtcdMemberFileSchema,
  EtcdTlsFileSchema,
  HostOverrideFileSchema,
  MasterHostFileSchema,
  NodeFileSchema,
} from './schema.ts';
import type { AccessFile, DomeosFile, EtcdTlsFile, HostOverrideFile, MasterHostFile, NodeFile } from './schema.ts';
import { defaultURL } from './normalize.ts';
import { z } from 'zod';

export type Side = 'old' | 'new';

export interface DraftURL {
  readonly raw: string;
  /** True when the file wrote it; false when it comes from the member's host and the default port. */
  readonly given: boolean;
}

export interface DraftMember {
  readonly side: Side;
  readonly index: number;
  readonly name: string;
  readonly host: string;
  /** Undefined when it would come from an `etcd.defaults` port that failed to parse. */
  readonly clientURL?: DraftURL;
  readonly peerURL?: DraftURL;
}

export interface Draft {
  readonly access?: AccessFile;
  readonly hosts: Readonly<Record<string, HostOverrideFile>>;
  readonly members: readonly DraftMember[];
  /** Entries in `etcd.old` / `etcd.new`, parsed or not; undefined when the list itself is missing or not a list. */
  readonly sizes: { readonly old?: number; readonly new?: number };
  /** The ports member URLs default to; undefined when `etcd.defaults` failed to parse. */
  readonly ports?: { readonly client: number; readonly peer: number; readonly clientSet: boolean; readonly peerSet: boolean };
  readonly tls?: EtcdTlsFile;
  readonly master: { readonly old?: MasterHostFile; readonly new?: MasterHostFile };
  readonly nodes: readonly { readonly index: number; readonly node: NodeFile }[];
  readonly domeos?: DomeosFile;
}

function get(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function parsed<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  const r = schema.safeParse(value);
  return r.success ? r.data : undefined;
}

// Lenient copies of the strict schemas: unknown keys are dropped (the whole-file parse reports them), and a member
// needs only the fields the checks read, so a bad dataDir does not hide its URLs from the checks.
const LenientAccess = z.object(AccessFileSchema.shape);
const LenientDefaults = z.object(EtcdDefaultsFileSchema.shape);
const LenientMember = z.object({
  name: EtcdMemberFileSchema.shape.name,
  host: EtcdMemberFileSchema.shape.host,
  clientURL: EtcdMemberFileSchema.shape.clientURL,
  peerURL: EtcdMemberFileSchema.shape.peerURL,
});
const LenientTls = z.object(EtcdTlsFileSchema.shape);
const LenientMasterHost = z.object(MasterHostFileSchema.shape);
const LenientNode = z.object(NodeFileSchema.shape);
const LenientDomeos = z.object(DomeosFileSchema.shape);
const LenientOverride = z.object(HostOverrideFileSchema.shape);

function members(etcd: unknown, side: Side, ports: { client?: number; peer?: number }): DraftMember[] {
  const list = get(etcd, side);
  if (!Array.isArray(list)) return [];
  const out: DraftMember[] = [];
  list.forEach((entry, index) => {
    const m = parsed(LenientMember, entry);
    if (m === undefined) return;
    const url = (given: string | undefined, port: number | undefined): DraftURL | undefined => {
      if (given !== undefined) return { raw: given, given: true };
      return port === undefined ? undefined : { raw: defaultURL(m.host, port), given: false };
    };
    out.push({
      side,
      index,
      name: m.name,
      host: m.host,
      ...optional('clientURL', url(m.clientURL, ports.client)),
      ...optional('peerURL', url(m.peerURL, ports.peer)),
    });
  });
  return out;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function hostsOf(raw: unknown): Record<string, HostOverrideFile> {
  const hosts = get(raw, 'hosts');
  const out: Record<string, HostOverrideFile> = {};
  if (typeof hosts !== 'object' || hosts === null || Array.isArray(hosts)) return out;
  for (const [address, value] of Object.entries(hosts)) {
    const o = parsed(LenientOverride, value);
    out[address] = o ?? {};
  }
  return out;
}

export function buildDraft(raw: unknown): Draft {
  const etcd = get(raw, 'etcd');
  // A default port that fails to parse is unknown: members relying on it get no URL rather than a guessed one.
  const rawDefaults = get(etcd, 'defaults');
  const defaults = rawDefaults === undefined ? {} : parsed(LenientDefaults, rawDefaults);
  const ports =
    defaults === undefined
      ? undefined
      : {
          client: defaults.clientPort ?? DEFAULTS.etcd.clientPort,
          peer: defaults.peerPort ?? DEFAULTS.etcd.peerPort,
          clientSet: defaults.clientPort !== undefined,
          peerSet: defaults.peerPort !== undefined,
        };
  const size = (side: Side): number | undefined => {
    const list = get(etcd, side);
    return Array.isArray(list) ? list.length : undefined;
  };
  const nodes: { index: number; node: NodeFile }[] = [];
  const rawNodes = get(raw, 'nodes');
  if (Array.isArray(rawNodes)) {
    rawNodes.forEach((entry, index) => {
      const node = parsed(LenientNode, entry);
      if (node !== undefined) nodes.push({ index, node });
    });
  }
  const master = get(raw, 'master');
  return {
    ...optional('access', parsed(LenientAccess, get(raw, 'access'))),
    hosts: hostsOf(raw),
    members: [...members(etcd, 'old', ports ?? {}), ...members(etcd, 'new', ports ?? {})],
    ...optional('ports', ports),
    sizes: { ...optional('old', size('old')), ...optional('new', size('new')) },
    ...optional('tls', parsed(LenientTls, get(etcd, 'tls'))),
    master: {
      ...optional('old', parsed(LenientMasterHost, get(master, 'old'))),
      ...optional('new', parsed(LenientMasterHost, get(master, 'new'))),
    },
    nodes,
    ...optional('domeos', parsed(LenientDomeos, get(raw, 'domeos'))),
  };
}
