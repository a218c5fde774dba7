/**
 * A picture of the cluster for the before/after reports (the demo's, report.html, the dashboard): the inventory's
 * etcd hosts, etcd members and leader, which master answers and what runs on each, the nodes as the answering
 * apiserver sees them, whether DNS answers through its service, and the console's cluster record and watcher.
 * Every part is read on its own: one that cannot be read says why.
 */
import { messageOf } from '../errors.ts';
import { readEtcdState } from './etcd.ts';
import type { Inventory } from '../inventory/types.ts';
import { MASTER_UNITS } from '../master/files.ts';
import type { ClusterPicture, MasterPicture } from './types.ts';
import type { Deps } from '../ports/deps.ts';
import { readConsolePicture, readDnsPicture } from './picture-addons.ts';

export async function readClusterPicture(inventory: Inventory, deps: Deps): Promise<ClusterPicture> {
  const takenAt = new Date(deps.now()).toISOString();
  let etcd: ClusterPicture['etcd'];
  let etcdError: string | undefined;
  try {
    etcd = (await readEtcdState(deps.etcd)).observed;
  } catch (err) {
    etcdError = messageOf(err);
  }
  const masters: MasterPicture[] = [];
  const m = inventory.master;
  if (m !== undefined) {
    for (const [role, spec] of [['old', m.old], ['new', m.new]] as const) {
      const host = await deps.host(spec.host).catch(() => undefined);
      const units: Record<string, string> = {};
      for (const u of MASTER_UNITS) units[u] = host === undefined ? 'unknown' : await host.serviceState(u).catch(() => 'unknown');
      masters.push({ role, host: spec.host, apiserver: spec.apiserver, answers: await deps.kube(spec.apiserver).healthz(2000), units });
    }
  }
  const answering = [...masters].reverse().find((x) => x.answers)?.apiserver;
  let nodes: ClusterPicture['nodes'] = { list: [] };
  if (answering !== undefined) {
    try {
      const list = await deps.kube(answering).listNodes();
      nodes = { apiserver: answering, list: list.map((n) => ({ name: n.name, ready: n.ready })).sort((a, b) => a.name.localeCompare(b.name)) };
    } catch (err) {
      nodes = { apiserver: answering, list: [], error: messageOf(err) };
    }
  } else if (m !== undefined) nodes = { list: [], error: 'no apiserver answers' };
  const dns = answering !== undefined && inventory.dns !== undefined ? await readDnsPicture(deps, answering, inventory.dns) : undefined;
  const consolePicture = inventory.domeos !== undefined ? await readConsolePicture(deps, inventory.domeos) : undefined;
  const place = (ms: Inventory['etcd']['old']) => ms.map((x) => ({ name: x.name, host: x.host, clientURL: x.clientURL, peerURL: x.peerURL }));
  return {
    takenAt,
    etcdHosts: { old: place(inventory.etcd.old), new: place(inventory.etcd.new) },
    ...(etcd !== undefined ? { etcd } : {}),
    ...(etcdError !== undefined ? { etcdError } : {}),
    masters,
    nodes,
    ...(dns !== undefined ? { dns } : {}),
    ...(consolePicture !== undefined ? { console: consolePicture } : {}),
  };
}
