/**
 * What discovery found that an operator should look at before migrating, in words (pure): places that disagree
 * with the live etcd member list (the apiserver's --etcd-servers, flanneld, the DNS pods, the DomeOS record), members
 * or hosts that did not answer, units that are not running, nodes that are not Ready. Printed as warnings and
 * written at the top of the discovered inventory.
 */
import { isSameEndpointSet, normalizeEndpoint, readArgvFlag, splitList } from './argv-flags.ts';
import { pickURL } from './etcd-facts.ts';
import { listInventoryMembers } from './inventory-object.ts';
import type { Discovery, MemberFacts } from './types.ts';

const LIST_MAX = 10;

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, LIST_MAX).join(', ');
  return names.length > LIST_MAX ? `${shown} (+${names.length - LIST_MAX} more)` : shown;
}

function label(m: MemberFacts): string {
  return m.name === '' ? `the unstarted member ${m.peerURLs.join(',')}` : `member ${m.name}`;
}

/** The live members' client URLs, one per started member, by member name. */
export function listMemberClientURLs(d: Pick<Discovery, 'etcd'>): string[] {
  return listInventoryMembers(d).flatMap((m) => {
    const url = pickURL(m.clientURLs, m.host);
    return url === undefined ? [] : [url];
  });
}

function checkMembers(d: Discovery): string[] {
  const out: string[] = [];
  if (d.etcd.leader === undefined) out.push('the etcd members do not agree on a leader (an election may be under way): run discover again in a moment');
  for (const m of d.etcd.members) {
    if (m.name === '') out.push(`${label(m)} was added but never started: left out of etcd.old; a migration may be half done (ferry status)`);
    else if (m.host === undefined) out.push(`${label(m)} has no usable peer URL (${m.peerURLs.join(',') || 'none'}): left out of etcd.old`);
    if (m.isLearner) out.push(`${label(m)} is a learner: a migration may be in progress (ferry status); finish or roll it back before planning a new one`);
    if (m.name === '' || m.host === undefined) continue;
    if (m.statusError !== undefined) out.push(`${label(m)} did not answer on ${m.clientURLs.join(',')}: ${m.statusError}`);
    const host = m.host;
    if (m.files.source === 'unreachable') {
      out.push(`could not read ${label(m)}'s files on ${host} (${m.files.reason ?? 'unreachable'}): its dataDir, service, binary and configFile are etcd.defaults, check them`);
    } else if (m.files.source === 'missing') {
      out.push(`no etcd unit and no /etc/sysconfig/etcd on ${host} for ${label(m)}: DomeOS's defaults assumed, check them`);
    }
    for (const note of m.files.notes) out.push(`${label(m)} on ${host}: ${note}`);
    if (m.files.sysconfigName !== undefined && m.files.sysconfigName !== m.name) {
      out.push(`${label(m)}: ${m.files.configFile ?? 'its sysconfig file'} on ${host} names the member ${m.files.sysconfigName}; is another etcd running there?`);
    }
    const client = pickURL(m.clientURLs, m.host);
    if (client !== undefined && !sameHost(client, host)) {
      out.push(`${label(m)}'s client URL ${client} is not on its peer host ${m.host}; ferry validate requires both on the member's host`);
    }
  }
  const tokens = new Set(d.etcd.members.flatMap((m) => (m.files.clusterToken === undefined ? [] : [m.files.clusterToken])));
  if (tokens.size > 1) out.push(`the members' sysconfig files name different cluster tokens (${[...tokens].join(', ')}): etcd.clusterToken is the first member's`);
  return out;
}

function sameHost(url: string, host: string): boolean {
  try {
    return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

function checkEtcdList(what: string, list: readonly string[] | undefined, live: readonly string[]): string[] {
  if (list === undefined || live.length === 0 || isSameEndpointSet(list, live)) return [];
  return [`${what} (${list.join(',')}) differs from the live etcd members (${live.join(',')})`];
}

function checkMaster(d: Discovery, live: readonly string[]): string[] {
  const out: string[] = [];
  const { master } = d;
  const on = `on the master ${master.host}`;
  for (const f of master.files) if (!f.present) out.push(`${f.path} is missing ${on}`);
  if (master.apiserverFlags === undefined && d.apiserver.source === 'default') out.push(`the apiserver URL is assumed (${d.apiserver.url}): pass --apiserver if it is another`);
  for (const u of master.units) {
    if (u.unitPath === undefined) out.push(`unit ${u.name} not found ${on}`);
    else if (u.state !== 'active') out.push(`${u.name} is ${u.state} ${on}`);
  }
  out.push(...checkEtcdList(`kube-apiserver's --etcd-servers ${on}`, master.apiserverFlags?.etcdServers, live));
  out.push(...checkEtcdList(`FLANNEL_ETCD of /etc/sysconfig/flanneld ${on}`, master.flannelEtcd, live));
  for (const [unit, url] of Object.entries(master.masterFlags)) {
    if (normalizeEndpoint(url) !== normalizeEndpoint(d.apiserver.url)) out.push(`${unit} ${on} talks to --master=${url}, not to the apiserver ${d.apiserver.url}`);
  }
  if (master.kubeVersionError !== undefined) out.push(`the Kubernetes version ${on} is unknown: ${master.kubeVersionError}`);
  else if (d.apiserver.version !== undefined && master.kubeVersion !== undefined && d.apiserver.version !== master.kubeVersion) {
    out.push(`the apiserver runs ${d.apiserver.version} but the installed kube-apiserver is ${master.kubeVersion} ${on}: restarted since an upgrade?`);
  }
  return out;
}

function checkNodes(d: Discovery): string[] {
  const out: string[] = [];
  if (d.nodes.length === 0) out.push(`the apiserver ${d.apiserver.url} lists no nodes`);
  const notReady = d.nodes.filter((n) => n.ready !== 'True').map((n) => `${n.name} (${n.ready === 'False' ? 'NotReady' : 'Unknown'})`);
  if (notReady.length > 0) out.push(`${notReady.length} node(s) not Ready: ${listNames(notReady)}`);
  const noIP = d.nodes.filter((n) => n.internalIP === undefined).map((n) => n.name);
  if (noIP.length > 0) out.push(`${noIP.length} node(s) without an InternalIP, left out of nodes (add them by hand): ${listNames(noIP)}`);
  return out;
}

function checkDns(d: Discovery, live: readonly string[]): string[] {
  const dns = d.dns;
  if (dns === undefined) return ['no DNS add-on (kube2sky / skydns) found in the namespaces default and kube-system: the dns section is left out'];
  const out: string[] = [];
  if (dns.service === undefined) out.push(`no DNS service (skydns-svc, kube-dns) in namespace ${dns.namespace}: dns.service is the default`);
  if (dns.controllers.length === 0) out.push(`no kube2sky or skydns controller in namespace ${dns.namespace}`);
  if (dns.domain === undefined) out.push('the DNS controllers have no --domain: dns.domain is the default');
  for (const c of dns.controllers) {
    const where = `${c.kind === 'Deployment' ? 'Deployment' : 'RC'} ${dns.namespace}/${c.name}`;
    out.push(...checkEtcdList(`${where} --machines`, optionalList(readArgvFlag(c.args, 'machines')), live));
    out.push(...checkEtcdList(`${where} --etcd_servers`, optionalList(readArgvFlag(c.args, 'etcd_servers')), live));
    const one = readArgvFlag(c.args, 'etcd-server');
    if (one !== undefined && live.length > 0 && !live.map(normalizeEndpoint).includes(normalizeEndpoint(one))) {
      out.push(`${where} --etcd-server=${one} is not one of the live etcd members`);
    }
    const master = readArgvFlag(c.args, 'kube_master_url');
    if (master !== undefined && normalizeEndpoint(master) !== normalizeEndpoint(d.apiserver.url)) {
      out.push(`${where} --kube_master_url=${master} is not the apiserver ${d.apiserver.url}`);
    }
  }
  return out;
}

function optionalList(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : splitList(value);
}

function checkConsole(d: Discovery, live: readonly string[]): string[] {
  const c = d.console;
  if (c === undefined) return [];
  const out: string[] = [];
  if (normalizeEndpoint(c.api) !== normalizeEndpoint(d.apiserver.url)) out.push(`the DomeOS record of cluster ${c.cluster} has api ${c.api}, not the apiserver ${d.apiserver.url}`);
  out.push(...checkEtcdList(`the DomeOS record of cluster ${c.cluster} (etcd)`, splitList(c.etcd), live));
  return out;
}

export function computeCrossChecks(d: Discovery): string[] {
  const live = listMemberClientURLs(d);
  return [...checkMembers(d), ...checkMaster(d, live), ...checkNodes(d), ...checkDns(d, live), ...checkConsole(d, live)];
}
