/**
 * The discovered inventory as YAML with comments (the `yaml` package's Document API), pure: a header saying where
 * each fact came from and what to fill in, the cross-check warnings, the facts that have no field of their own
 * (who leads, unit states, versions, cluster IPs) as comments beside the fields, and the two places the operator
 * fills in — `etcd.new` (an empty list: `ferry validate` says "etcd.new is empty") and `master.new` (absent:
 * "master.new is required") — each with a commented example right there.
 */
import { Document, isMap, isScalar, isSeq } from 'yaml';
import type { Pair, YAMLMap } from 'yaml';
import { buildEtcdLayout, buildInventoryObject, listInventoryMembers } from './inventory-object.ts';
import type { Discovery, MemberFacts } from './types.ts';

export type DiscoverFormat = 'yaml' | 'json';

function pairOf(map: unknown, key: string): Pair | undefined {
  if (!isMap(map)) return undefined;
  return map.items.find((p) => isScalar(p.key) && p.key.value === key);
}

/** Comment lines above `key` of `map`. */
function above(map: unknown, key: string, lines: readonly string[]): void {
  const pair = pairOf(map, key);
  if (pair !== undefined && isScalar(pair.key)) pair.key.commentBefore = lines.map((l) => ` ${l}`).join('\n');
}

function flowItems(node: unknown): void {
  if (!isSeq(node)) return;
  for (const item of node.items) if (isMap(item)) item.flow = true;
}

/** `domeosEtcd0..2` → `domeosEtcd3..5`; other names get `-new<i>`. */
export function suggestMemberNames(names: readonly string[], count: number): string[] {
  const parsed = names.map((n) => /^(.*?)(\d+)$/.exec(n));
  const prefix = parsed[0]?.[1];
  if (prefix !== undefined && parsed.every((m) => m !== null && m[1] === prefix)) {
    const next = Math.max(...parsed.map((m) => Number(m?.[2] ?? 0))) + 1;
    return Array.from({ length: count }, (_, i) => `${prefix}${next + i}`);
  }
  const base = (names[0] ?? 'etcd').replace(/[^A-Za-z0-9._-]/g, '') || 'etcd';
  return Array.from({ length: count }, (_, i) => `${base}-new${i + 1}`);
}

function memberNote(m: MemberFacts): string {
  const words = [m.isLeader ? 'leader' : m.isLearner ? 'learner' : 'follower'];
  if (m.statusError !== undefined) words.push('did not answer');
  else if (m.version !== undefined) words.push(`etcd ${m.version}`);
  if (m.files.serviceState !== undefined) words.push(`${m.files.service ?? 'etcd'} ${m.files.serviceState}`);
  if (m.files.source === 'unreachable') words.push('host not reached: settings are etcd.defaults');
  else if (m.files.source === 'missing') words.push('no etcd unit or sysconfig found: settings are etcd.defaults');
  return words.join(' · ');
}

function headerLines(d: Discovery, warnings: readonly string[]): string[] {
  const members = listInventoryMembers(d);
  const version = members.find((m) => m.version !== undefined)?.version;
  const ready = d.nodes.filter((n) => n.ready === 'True').length;
  const dns = d.dns;
  const lines = [
    `ferry inventory discovered from the live cluster by \`ferry discover\` at ${d.at}.`,
    '',
    `  etcd     ${members.length} member(s) through ${d.etcd.endpoints.join(',')}; leader ${d.etcd.leader ?? 'none agreed'}${version !== undefined ? `; etcd ${version}` : ''}`,
    `  master   ${d.master.host}: Kubernetes ${d.master.kubeVersion ?? 'version unknown'}; apiserver ${d.apiserver.url} (${{ option: 'from --apiserver', sysconfig: 'from /etc/sysconfig/kube-apiserver', default: 'assumed' }[d.apiserver.source]})`,
    `  nodes    ${d.nodes.length} from the apiserver (${ready} Ready)`,
    dns === undefined
      ? '  dns      not found'
      : `  dns      ${dns.namespace}/${dns.service ?? '(no service)'}${dns.clusterIP !== undefined ? ` ${dns.clusterIP}` : ''}; controllers ${dns.controllers.map((c) => c.name).join(', ') || 'none'}; domain ${dns.domain ?? 'unknown'}`,
    ...(d.console !== undefined ? [`  console  ${d.console.url}, cluster ${d.console.cluster} (id ${d.console.id})`] : []),
    '',
    'TO DO: fill in etcd.new and master.new (marked FILL IN below): `ferry validate -f FILE` refuses this file',
    'until then. Everything else was read from the cluster; examples/seed.yaml explains every field.',
  ];
  if (warnings.length > 0) lines.push('', 'Warnings (discover printed them too):', ...warnings.map((w) => `  - ${w}`));
  return lines;
}

function etcdComments(d: Discovery, etcd: unknown): void {
  const layout = buildEtcdLayout(d);
  const members = listInventoryMembers(d);
  const read = members.filter((m) => m.files.source === 'read').length;
  if (layout.clusterToken !== undefined) above(etcd, 'clusterToken', ["The cluster's --initial-cluster-token, from the members' etcd sysconfig files."]);
  above(etcd, 'defaults', [
    `What the members' etcd units and sysconfig files say (read on ${read} of ${members.length} member host(s); the most`,
    'common value of each). New members get these too unless they set their own.',
  ]);
  above(etcd, 'old', [`The live members (etcd member list). Leader: ${d.etcd.leader ?? 'none agreed'}.`]);
  const old = pairOf(etcd, 'old')?.value;
  flowItems(old);
  if (isSeq(old)) old.items.forEach((item, i) => {
    const m = members[i];
    if (m !== undefined && isMap(item)) item.comment = ` ${memberNote(m)}`;
  });
  const names = suggestMemberNames(members.map((m) => m.name), Math.max(members.length, 1));
  above(etcd, 'new', [
    'FILL IN: the members to create on the new machines, one per machine, none of them an old member\'s host;',
    'names must differ from the old ones. ferry validate refuses an empty list. For example:',
    ...names.map((n, i) => `  - { name: ${n}, host: <new etcd host ${i + 1}> }`),
  ]);
}

function masterComments(d: Discovery, master: unknown): void {
  const units = d.master.units.map((u) => `${u.name} ${u.unitPath === undefined ? 'absent' : u.state}`).join(', ');
  const flags = d.master.apiserverFlags;
  above(master, 'old', [
    `Read on ${d.master.host}: ${units}.`,
    `Kubernetes ${d.master.kubeVersion ?? 'unknown'} (/usr/sbin/domeos/k8s/current/kube-apiserver --version).`,
    ...(flags?.etcdServers !== undefined ? [`kube-apiserver --etcd-servers=${flags.etcdServers.join(',')}`] : []),
    ...(flags?.serviceClusterIpRange !== undefined ? [`kube-apiserver --service-cluster-ip-range=${flags.serviceClusterIpRange}`] : []),
  ]);
  const oldNode = pairOf(master, 'old')?.value;
  if (isMap(oldNode)) oldNode.flow = true;
  if (isMap(master)) {
    master.comment = [
      ' FILL IN: the new master (a machine of its own, with the same Kubernetes version installed), e.g.:',
      ' new: { host: <new master host>, apiserver: http://<new master host>:8080 }',
    ].join('\n');
  }
}

function nodeComments(d: Discovery, root: YAMLMap): void {
  above(root, 'nodes', [`The nodes the apiserver lists (host = the node's InternalIP). ${d.nodes.length} in all.`]);
  const seq = pairOf(root, 'nodes')?.value;
  flowItems(seq);
  if (!isSeq(seq)) return;
  const byName = new Map(d.nodes.map((n) => [n.name, n]));
  for (const item of seq.items) {
    const name = isMap(item) ? item.get('name') : undefined;
    const node = typeof name === 'string' ? byName.get(name) : undefined;
    if (node !== undefined && node.ready !== 'True' && isMap(item)) item.comment = ` ${node.ready === 'False' ? 'NotReady' : 'Ready condition Unknown'}`;
  }
}

function dnsComments(d: Discovery, root: YAMLMap): void {
  const dns = d.dns;
  if (dns === undefined) return;
  const controllers = dns.controllers.map((c) => `${c.name} (${c.kind === 'Deployment' ? 'Deployment' : 'RC'}, ${c.replicas} replica${c.replicas === 1 ? '' : 's'})`);
  const dnsNode = pairOf(root, 'dns')?.value;
  const list = isMap(dnsNode) ? dnsNode.get('controllers', true) : undefined;
  if (isSeq(list)) list.flow = true;
  above(root, 'dns', [
    `The cluster DNS found in namespace ${dns.namespace}: service ${dns.service ?? '(none)'}${dns.clusterIP !== undefined ? ` at ${dns.clusterIP}` : ''};`,
    `controllers ${controllers.join(', ') || '(none)'}; the domain is skydns's --domain.`,
  ]);
}

function consoleComments(d: Discovery, root: YAMLMap): void {
  const c = d.console;
  if (c === undefined) return;
  above(root, 'domeos', [
    `The DomeOS console. Its record of cluster ${c.cluster} (id ${c.id}): api ${c.api}, etcd ${c.etcd}`,
    ...(c.credentialsFile !== undefined
      ? []
      : d.access.mode === 'lab'
        ? ["Login: FERRY_DOMEOS_USERNAME / FERRY_DOMEOS_PASSWORD, else the lab's own (or add credentialsFile: a YAML file)."]
        : ['Login: FERRY_DOMEOS_USERNAME / FERRY_DOMEOS_PASSWORD (or add credentialsFile: a YAML file with username, password).']),
  ]);
}

export function buildInventoryDocument(d: Discovery, warnings: readonly string[]): Document {
  const doc = new Document(buildInventoryObject(d));
  doc.commentBefore = headerLines(d, warnings).map((l) => ` ${l}`).join('\n');
  const root = doc.contents;
  if (!isMap(root)) return doc;
  above(root, 'access', [d.access.mode === 'lab' ? 'How ferry reaches the hosts: the lab on this machine.' : 'How ferry reaches the hosts: over SSH, as discover did.']);
  etcdComments(d, pairOf(root, 'etcd')?.value);
  masterComments(d, pairOf(root, 'master')?.value);
  nodeComments(d, root);
  dnsComments(d, root);
  consoleComments(d, root);
  return doc;
}

/** The file discover writes: YAML with comments, or the same inventory as JSON (which is YAML too, without comments). */
export function renderDiscovered(d: Discovery, warnings: readonly string[], format: DiscoverFormat): string {
  if (format === 'json') return `${JSON.stringify(buildInventoryObject(d), null, 2)}\n`;
  return buildInventoryDocument(d, warnings).toString({ lineWidth: 0 });
}
