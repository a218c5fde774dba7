/**
 * Cross-field checks of the etcd section: member names and hosts, cluster sizes, and TLS settings.
 * URLs are checked in check-urls.ts.
 */
import type { Draft, DraftMember, Side } from './draft.ts';
import { error, formatPath, show, warning } from './problems.ts';
import type { Finding, Segment } from './problems.ts';
import { normalizeHost } from './urls.ts';

/** etcd's docs advise at most 7 members: every write waits for a majority. */
const MAX_ADVISED_MEMBERS = 7;

function at(member: DraftMember, field: string): Segment[] {
  return ['etcd', member.side, member.index, field];
}

function where(member: DraftMember): string {
  return formatPath(['etcd', member.side, member.index]);
}

function checkNames(members: readonly DraftMember[]): Finding[] {
  const findings: Finding[] = [];
  const seen = new Map<string, DraftMember>();
  for (const m of members) {
    const first = seen.get(m.name);
    if (first === undefined) {
      seen.set(m.name, m);
      continue;
    }
    findings.push(
      error(
        at(m, 'name'),
        `name ${show(m.name)} is also the name of ${where(first)}`,
        'member names must be unique across etcd.old and etcd.new; continue the numbering for new members (domeosEtcd3, …)',
      ),
    );
  }
  return findings;
}

function checkHosts(members: readonly DraftMember[]): Finding[] {
  const findings: Finding[] = [];
  const bySide: Record<Side, Map<string, DraftMember>> = { old: new Map(), new: new Map() };
  for (const m of members) {
    const host = normalizeHost(m.host);
    const sameSide = bySide[m.side].get(host);
    if (sameSide !== undefined) {
      findings.push(
        error(
          at(m, 'host'),
          `host ${m.host} already runs ${where(sameSide)}; etcd.${m.side} may have one member per host`,
          'give each member its own machine',
        ),
      );
      continue;
    }
    bySide[m.side].set(host, m);
  }
  for (const m of members) {
    if (m.side !== 'new') continue;
    const old = bySide.old.get(normalizeHost(m.host));
    if (old === undefined) continue;
    findings.push(
      error(
        at(m, 'host'),
        `${m.host} is also an old member's host (${where(old)}); ferry moves members to NEW machines`,
        'use a machine that is not in etcd.old: ferry starts each new member before it removes an old one, so both run at once',
      ),
    );
  }
  return findings;
}

function checkSizes(sizes: Draft['sizes']): Finding[] {
  const findings: Finding[] = [];
  if (sizes.old === 0) {
    findings.push(
      error(['etcd', 'old'], 'etcd.old is empty; ferry needs the current members to migrate from', 'list the running members (`etcdctl member list` shows them)'),
    );
  }
  if (sizes.new === 0) {
    findings.push(error(['etcd', 'new'], 'etcd.new is empty; there is nothing to migrate to', 'list the members to create on the new machines'));
  }
  if (sizes.new !== undefined && sizes.new > 0 && sizes.new % 2 === 0) {
    const n = sizes.new;
    findings.push(
      warning(
        ['etcd', 'new'],
        `etcd.new has ${n} members: a cluster of ${n} tolerates no more failures than ${n - 1} (${Math.floor((n - 1) / 2)})`,
        `use an odd number of members, e.g. ${n - 1} or ${n + 1}`,
      ),
    );
  }
  for (const side of ['old', 'new'] as const) {
    const n = sizes[side];
    if (n !== undefined && n > MAX_ADVISED_MEMBERS) {
      findings.push(
        warning(
          ['etcd', side],
          `etcd.${side} has ${n} members; etcd advises at most ${MAX_ADVISED_MEMBERS} (each write waits for a majority)`,
          'use 3 or 5 members',
        ),
      );
    }
  }
  return findings;
}

function isHttps(raw: string): boolean {
  return raw.toLowerCase().startsWith('https://');
}

/** ferry talks to members on their client URLs only, so only those decide whether it needs TLS settings. */
function checkTls(draft: Draft): Finding[] {
  const findings: Finding[] = [];
  const { tls } = draft;
  if (tls?.cert !== undefined && tls.key === undefined) {
    findings.push(error(['etcd', 'tls', 'key'], `etcd.tls.cert is set (${show(tls.cert)}) but etcd.tls.key is missing`, 'a client certificate needs its key: add etcd.tls.key, or remove etcd.tls.cert'));
  }
  if (tls?.key !== undefined && tls.cert === undefined) {
    findings.push(error(['etcd', 'tls', 'cert'], `etcd.tls.key is set (${show(tls.key)}) but etcd.tls.cert is missing`, 'a client key needs its certificate: add etcd.tls.cert, or remove etcd.tls.key'));
  }
  const clients = draft.members.flatMap((m) => (m.clientURL === undefined ? [] : [{ m, raw: m.clientURL.raw }]));
  const https = clients.filter((c) => isHttps(c.raw));
  const http = clients.filter((c) => !isHttps(c.raw));
  const first = https[0];
  if (first !== undefined && tls?.ca === undefined) {
    findings.push(
      warning(
        ['etcd', 'tls', 'ca'],
        `${https.length} client URL(s) use https (e.g. ${where(first.m)}.clientURL ${show(first.raw)}) but etcd.tls.ca is not set, so only the system's CAs are trusted`,
        "set etcd.tls.ca to the CA bundle that signed etcd's server certificates",
      ),
    );
  }
  const firstHttp = http[0];
  if (tls !== undefined && firstHttp !== undefined) {
    findings.push(
      warning(
        ['etcd', 'tls'],
        `etcd.tls is set but ${http.length} client URL(s) use http (e.g. ${where(firstHttp.m)}.clientURL ${show(firstHttp.raw)}); TLS is not used for them`,
        'write https:// client URLs for members that serve TLS, or remove etcd.tls',
      ),
    );
  }
  return findings;
}

function checkDefaultPorts(ports: Draft['ports']): Finding[] {
  if (ports === undefined || ports.client !== ports.peer) return [];
  const field = ports.peerSet ? 'peerPort' : 'clientPort';
  return [
    error(
      ['etcd', 'defaults', field],
      `clientPort and peerPort are both ${ports.client}; a member cannot serve clients and peers on one port`,
      'give clientPort and peerPort different values (DomeOS uses 4012 and 4010)',
    ),
  ];
}

export function checkEtcd(draft: Draft): Finding[] {
  return [
    ...checkNames(draft.members),
    ...checkHosts(draft.members),
    ...checkSizes(draft.sizes),
    ...checkDefaultPorts(draft.ports),
    ...checkTls(draft),
  ];
}
