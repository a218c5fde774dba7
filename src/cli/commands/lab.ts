import { stringify } from 'yaml';
import { inputError } from '../../errors.ts';
import { resolveLabDir } from '../../home.ts';
import { readInventory } from '../../inventory/load.ts';
import type { Inventory } from '../../inventory/types.ts';
import { startLab } from '../../lab/up.ts';
import { stopLab } from '../../lab/down.ts';
import { readLabStatus, renderLabK8sStatusLines } from '../../lab/status.ts';
import { readEtcdState } from '../../etcd/observe.ts';
import { Etcd3Admin } from '../../etcd/client.ts';
import { idToHex } from '../../etcd/ids.ts';
import { outputFormat, parse } from '../args.ts';
import { bold, dim, green, type Io } from '../io.ts';
import { DEFAULT_LAB_INVENTORY } from '../defaults.ts';

export function labDirOf(inventory: Inventory | undefined, io: Io): string {
  const access = inventory?.access;
  return resolveLabDir(access?.mode === 'lab' ? access.labDir : undefined, io.env);
}

export async function cmdLab(argv: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parse(`lab ${sub ?? ''}`.trim(), rest, { file: { type: 'string', short: 'f' }, 'lab-dir': { type: 'string' }, nodes: { type: 'string' }, 'no-dns': { type: 'boolean' } });
  if (values['no-dns'] === true && sub !== 'up') throw inputError('CLI_USAGE', '--no-dns is an option of `ferry lab up` only', { hint: 'ferry lab up --no-dns' });
  let nodes: number | undefined;
  if (values.nodes !== undefined) {
    if (sub !== 'up' || !/^\d+$/.test(values.nodes)) {
      throw inputError('CLI_USAGE', sub !== 'up' ? '--nodes is an option of `ferry lab up` only' : `--nodes must be a whole number, not ${JSON.stringify(values.nodes)}`, { hint: 'ferry lab up --nodes 200' });
    }
    nodes = Number(values.nodes);
  }
  const file = values.file;
  const loaded = file !== undefined || sub === 'up' ? await readInventory(file ?? DEFAULT_LAB_INVENTORY) : undefined;
  if (loaded !== undefined && loaded.inventory.access.mode !== 'lab') {
    throw inputError('LAB_NOT_LAB_INVENTORY', `${file ?? DEFAULT_LAB_INVENTORY} has access.mode ${loaded.inventory.access.mode}, not lab`, {
      hint: 'the lab runs inventories whose access.mode is lab and whose hosts are 127.x.y.z (see examples/lab-seed.yaml)',
    });
  }
  const labDir = values['lab-dir'] ?? labDirOf(loaded?.inventory, io);
  switch (sub) {
    case 'up': {
      const inv = loaded!;
      const state = await startLab({ inventory: inv.inventory, inventoryPath: file ?? DEFAULT_LAB_INVENTORY, labDir, ...(nodes !== undefined ? { nodes } : {}), ...(values['no-dns'] === true ? { dns: false } : {}), log: (l: string) => io.err(dim(io, l) + '\n') });
      io.out(green(io, `lab up in ${labDir}`) + '\n');
      io.out(`old etcd: ${inv.inventory.etcd.old.map((m) => `${m.name} ${m.clientURL}`).join(', ')}\n`);
      io.out(`new hosts prepared: ${inv.inventory.etcd.new.map((m) => m.host).join(', ')}\n`);
      io.out(dim(io, `next: ferry plan -f ${file ?? DEFAULT_LAB_INVENTORY}`) + '\n');
      void state;
      return 0;
    }
    case 'down': {
      await stopLab(labDir);
      io.out(`lab in ${labDir} is down; every process stopped and its state removed\n`);
      return 0;
    }
    case 'status': {
      const fmt = outputFormat('lab status', values.output);
      const status = await readLabStatus(labDir);
      let etcd: Awaited<ReturnType<typeof readEtcdState>> | undefined;
      let etcdError: string | undefined;
      const endpoints = status.state?.hosts.flatMap((h) => h.members?.map((m) => m.clientURL) ?? []) ?? [];
      if (endpoints.length > 0) {
        const admin = new Etcd3Admin({ endpoints, callTimeoutMs: 2000 });
        try {
          etcd = await readEtcdState(admin);
        } catch (err) {
          etcdError = (err as Error).message;
        } finally {
          await admin.close();
        }
      }
      if (fmt !== 'text') {
        const data = { ...status, etcd: etcd?.observed, etcdError };
        io.out(fmt === 'json' ? JSON.stringify(data, null, 2) + '\n' : stringify(data));
        return 0;
      }
      if (status.state === undefined) {
        io.out(`no lab in ${labDir} (start one with: ferry lab up)\n`);
        return 0;
      }
      io.out(`${bold(io, 'lab')} ${labDir}  ${dim(io, `inventory ${status.state.inventoryPath}, supervisor ${status.supervisorRunning ? 'running' : 'NOT running'}`)}\n`);
      const k8s = status.k8s;
      // A thousand nodes' units would drown the view: masters and etcd units are listed, nodes summarised.
      const nodeHosts = new Set(status.state.k8s?.nodes.map((n) => n.address) ?? []);
      for (const u of status.units) if (!nodeHosts.has(u.host)) io.out(`  ${u.host.padEnd(16)} ${u.unit.padEnd(16)} ${u.state}${u.pid ? dim(io, ` pid ${u.pid}`) : ''}\n`);
      if (k8s !== undefined) for (const l of renderLabK8sStatusLines(k8s)) io.out(`${l}\n`);
      if (etcd !== undefined) {
        io.out(`\netcd members (leader ${etcd.members.find((m) => m.id === etcd!.observed.leaderId)?.name ?? 'unknown'}):\n`);
        for (const m of etcd.members) io.out(`  ${(m.name || '(unstarted)').padEnd(16)} ${idToHex(m.id).padEnd(17)} ${m.isLearner ? 'learner' : 'voter'}  ${m.clientURLs.join(',')}\n`);
      } else if (etcdError !== undefined) io.out(`\netcd: ${etcdError}\n`);
      return 0;
    }
    default:
      throw inputError('CLI_USAGE', `ferry lab: unknown subcommand ${JSON.stringify(sub ?? '')}`, { hint: 'ferry lab up | down | status' });
  }
}
