/**
 * Cross-field checks of how hosts are reached and named: the access mode's fields, the lab's loopback-only rule,
 * per-host overrides, the master move, and the node list.
 */
import { isIPv4 } from 'node:net';
import type { Draft } from './draft.ts';
import { error, formatPath, show, warning } from './problems.ts';
import type { Finding, Segment } from './problems.ts';
import { normalizeHost, parseEndpointURL } from './urls.ts';

const SSH_ONLY = ['user', 'port', 'keyFile', 'knownHosts', 'sudo'] as const;

export const LAB_HINT = 'the lab runs everything on this machine; use 127.x.y.z addresses (see examples/lab-seed.yaml)';

export function isLoopbackIPv4(host: string): boolean {
  return isIPv4(host) && host.startsWith('127.');
}

/** Every host address the inventory names, with where: member, master and node hosts. */
function hostPlaces(draft: Draft): { segments: Segment[]; host: string }[] {
  return [
    ...draft.members.map((m) => ({ segments: ['etcd', m.side, m.index, 'host'], host: m.host })),
    ...(['old', 'new'] as const).flatMap((side) => {
      const m = draft.master[side];
      return m === undefined ? [] : [{ segments: ['master', side, 'host'], host: m.host }];
    }),
    ...draft.nodes.map((n) => ({ segments: ['nodes', n.index, 'host'], host: n.node.host })),
    ...(draft.domeos?.host !== undefined ? [{ segments: ['domeos', 'host'], host: draft.domeos.host }] : []),
  ];
}

/** URL hosts not already covered by a host field: an apiserver on another address than its master, the console. */
function urlHostPlaces(draft: Draft): { segments: Segment[]; host: string }[] {
  const out: { segments: Segment[]; host: string }[] = [];
  for (const side of ['old', 'new'] as const) {
    const m = draft.master[side];
    if (m === undefined) continue;
    const r = parseEndpointURL(m.apiserver, 'slash');
    if (r.ok && r.url.host !== normalizeHost(m.host)) out.push({ segments: ['master', side, 'apiserver'], host: r.url.host });
  }
  if (draft.domeos !== undefined) {
    const r = parseEndpointURL(draft.domeos.url, 'any');
    if (r.ok) out.push({ segments: ['domeos', 'url'], host: r.url.host });
  }
  return out;
}

function checkAccess(draft: Draft): Finding[] {
  const { access } = draft;
  if (access === undefined) return [];
  const findings: Finding[] = [];
  if (access.mode === 'ssh') {
    if (access.keyFile === undefined) {
      findings.push(
        error(
          ['access', 'keyFile'],
          'access mode ssh needs keyFile, the private key ferry logs in with; it is missing',
          'add keyFile: ~/.ssh/id_ed25519 (the path of the key; the key itself never goes in the inventory)',
        ),
      );
    }
    if (access.labDir !== undefined) {
      findings.push(warning(['access', 'labDir'], `labDir ${show(access.labDir)} is only used with mode lab; mode ssh ignores it`, 'remove it'));
    }
    return findings;
  }
  for (const key of SSH_ONLY) {
    if (access[key] !== undefined) {
      findings.push(warning(['access', key], `${key} ${show(access[key])} is only used with mode ssh; mode lab ignores it`, 'remove it'));
    }
  }
  if (Object.keys(draft.hosts).length > 0) {
    findings.push(warning(['hosts'], 'per-host access overrides are ignored with access mode lab', 'remove the hosts section'));
  }
  for (const { segments, host } of [...hostPlaces(draft), ...urlHostPlaces(draft)]) {
    if (isLoopbackIPv4(host)) continue;
    const field = segments[segments.length - 1] === 'host' ? 'host' : `${String(segments[segments.length - 1])} host`;
    findings.push(error(segments, `${field} ${host} is not a loopback address (127.x.y.z), which access mode lab requires`, LAB_HINT));
  }
  return findings;
}

function checkOverrides(draft: Draft): Finding[] {
  if (draft.access?.mode !== 'ssh') return [];
  const used = new Set(hostPlaces(draft).map((p) => normalizeHost(p.host)));
  // The DomeOS server's host defaults to its URL's (phases 1 and 8 reach it there).
  const consoleURL = draft.domeos === undefined ? undefined : parseEndpointURL(draft.domeos.url, 'any');
  if (consoleURL?.ok === true && draft.domeos?.host === undefined) used.add(consoleURL.url.host);
  return Object.keys(draft.hosts)
    .filter((address) => !used.has(normalizeHost(address)))
    .map((address) =>
      warning(
        ['hosts', address],
        `no host in the inventory has address ${address}, so this override applies to nothing`,
        'key each override by an address from etcd, master, nodes or domeos, written the same way, or remove it',
      ),
    );
}

function checkMaster(draft: Draft): Finding[] {
  const { old, new: target } = draft.master;
  if (old === undefined || target === undefined) return [];
  if (normalizeHost(old.host) !== normalizeHost(target.host)) return [];
  return [
    error(
      ['master', 'new', 'host'],
      `master.new.host ${target.host} is also master.old.host; ferry moves the master to a new machine`,
      "set master.new.host to the new master's address",
    ),
  ];
}

function checkNodes(draft: Draft): Finding[] {
  const findings: Finding[] = [];
  const names = new Map<string, number>();
  const hosts = new Map<string, number>();
  for (const { index, node } of draft.nodes) {
    const sameName = names.get(node.name);
    if (sameName === undefined) names.set(node.name, index);
    else {
      findings.push(error(['nodes', index, 'name'], `node name ${show(node.name)} is also ${formatPath(['nodes', sameName])}'s`, 'list each node once'));
    }
    const host = normalizeHost(node.host);
    const sameHost = hosts.get(host);
    if (sameHost === undefined) hosts.set(host, index);
    else {
      findings.push(error(['nodes', index, 'host'], `node host ${node.host} is also ${formatPath(['nodes', sameHost])}'s`, 'list each node once, with its own address'));
    }
  }
  return findings;
}

export function checkHostsAndAccess(draft: Draft): Finding[] {
  return [...checkAccess(draft), ...checkOverrides(draft), ...checkMaster(draft), ...checkNodes(draft)];
}
