import { inputError } from '../../errors.ts';
import { resolveLabDir } from '../../home.ts';
import { readInventory } from '../../inventory/load.ts';
import type { Inventory } from '../../inventory/types.ts';
import { readLabDownPreview, readLabStatus, renderLabK8sStatusLines, resolveLabEtcd, startLab, stopLab, type LabDownPreview } from '../../lab/face.ts';
import { readEtcdState } from '../../observe/etcd.ts';
import { Etcd3Admin } from '../../adapters/etcd/client.ts';
import { idToHex } from '../../etcd/ids.ts';
import { outputFormat, parseCommand } from '../args.ts';
import { bold, dim, green, humanIo, renderData, type Io } from '../io.ts';
import { DEFAULT_LAB_INVENTORY } from '../defaults.ts';

export function labDirOf(inventory: Inventory | undefined, io: Io): string {
  const access = inventory?.access;
  return resolveLabDir(access?.mode === 'lab' ? access.labDir : undefined, io.env);
}

export async function cmdLab(argv: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'up' && sub !== 'down' && sub !== 'status' && sub !== 'etcd') {
    throw inputError('CLI_USAGE', `ferry lab: unknown subcommand ${JSON.stringify(sub ?? '')}`, { hint: 'ferry lab up | down | status | etcd' });
  }
  const { values } = parseCommand('lab', rest, sub);
  const fmt = outputFormat(`lab ${sub}`, values.output);
  if (sub === 'etcd') {
    const release = await resolveLabEtcd(values.etcd, io.env, (l) => io.err(dim(io, l) + '\n'));
    if (fmt !== 'text') io.out(renderData(fmt, release));
    else io.out(`etcd ${release.version}: ${release.etcd}, ${release.etcdctl}\n`);
    return 0;
  }
  let nodes: number | undefined;
  if (values.nodes !== undefined) {
    if (!/^\d+$/.test(values.nodes)) throw inputError('CLI_USAGE', `--nodes must be a whole number, not ${JSON.stringify(values.nodes)}`, { hint: 'ferry lab up --nodes 200' });
    nodes = Number(values.nodes);
  }
  const file = values.file;
  const loaded = file !== undefined || sub === 'up' ? await readInventory(file ?? DEFAULT_LAB_INVENTORY) : undefined;
  if (loaded !== undefined && loaded.inventory.access.mode !== 'lab') {
    throw inputError('LAB_NOT_LAB_INVENTORY', `${file ?? DEFAULT_LAB_INVENTORY} has access.mode ${loaded.inventory.access.mode}, not lab`, {
      hint: 'the lab runs inventories whose access.mode is lab and whose hosts are 127.x.y.z (see examples/lab-seed.yaml)',
      subjects: { file: file ?? DEFAULT_LAB_INVENTORY },
    });
  }
  const labDir = values['lab-dir'] ?? labDirOf(loaded?.inventory, io);
  const human = humanIo(io, fmt);
  switch (sub) {
    case 'up': {
      const inv = loaded!;
      const state = await startLab({ inventory: inv.inventory, inventoryPath: file ?? DEFAULT_LAB_INVENTORY, labDir, ...(nodes !== undefined ? { nodes } : {}), ...(values['no-dns'] === true ? { dns: false } : {}), ...(values.etcd !== undefined ? { etcd: values.etcd } : {}), env: io.env, log: (l: string) => io.err(dim(io, l) + '\n') });
      human.out(green(io, `lab up in ${labDir}`) + (state.etcd !== undefined ? ` (etcd ${state.etcd.version})` : '') + '\n');
      human.out(`old etcd: ${inv.inventory.etcd.old.map((m) => `${m.name} ${m.clientURL}`).join(', ')}\n`);
      human.out(`new hosts prepared: ${inv.inventory.etcd.new.map((m) => m.host).join(', ')}\n`);
      human.out(dim(io, `next: ferry plan -f ${file ?? DEFAULT_LAB_INVENTORY}`) + '\n');
      if (fmt !== 'text') io.out(renderData(fmt, { labDir, state }));
      return 0;
    }
    case 'down': {
      if (values['dry-run'] === true) {
        const preview = await readLabDownPreview(labDir);
        if (fmt !== 'text') io.out(renderData(fmt, { dryRun: true, ...preview }));
        else io.out(renderLabDownPreview(preview));
        return 0;
      }
      const result = await stopLab(labDir);
      human.out(result.found ? `lab in ${labDir} is down; every process stopped and its state removed\n` : `no lab in ${labDir}: nothing to stop\n`);
      if (fmt !== 'text') io.out(renderData(fmt, { labDir, ...result }));
      return 0;
    }
    case 'status': {
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
        io.out(renderData(fmt, { ...status, etcd: etcd?.observed, etcdError }));
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
        const version = status.state.etcd !== undefined ? `etcd ${status.state.etcd.version} (${status.state.etcd.binary}), ` : '';
        io.out(`\n${version}etcd members (leader ${etcd.members.find((m) => m.id === etcd!.observed.leaderId)?.name ?? 'unknown'}):\n`);
        for (const m of etcd.members) io.out(`  ${(m.name || '(unstarted)').padEnd(16)} ${idToHex(m.id).padEnd(17)} ${m.isLearner ? 'learner' : 'voter'}  ${m.clientURLs.join(',')}\n`);
      } else if (etcdError !== undefined) io.out(`\netcd: ${etcdError}\n`);
      return 0;
    }
  }
}

/** `ferry lab down --dry-run` in words. Node agents share runtimes: a thousand nodes are summed up, not listed. */
export function renderLabDownPreview(p: LabDownPreview): string {
  if (!p.found) return `dry run: no lab in ${p.labDir}; \`ferry lab down\` would do nothing\n`;
  const runtimes = new Set(p.runtimes);
  const own = p.units.filter((u) => !runtimes.has(u.pid));
  const agents = p.units.length - own.length;
  const lines = [`dry run: \`ferry lab down\` would, in ${p.labDir}:`];
  if (p.supervisor !== undefined) lines.push(`  stop the lab supervisor (pid ${p.supervisor.pid}${p.supervisor.running ? '' : ', not running'}) and, through it, every unit:`);
  else lines.push('  stop every unit (no supervisor recorded):');
  for (const u of own) lines.push(`    ${u.unit.padEnd(32)} pid ${u.pid}`);
  if (p.runtimes.length > 0) lines.push(`    ${agents} node agent${agents === 1 ? '' : 's'} in ${p.runtimes.length} node runtime process${p.runtimes.length === 1 ? '' : 'es'} (pid ${p.runtimes.join(', ')})`);
  if (own.length === 0 && p.runtimes.length === 0) lines.push('    (no unit process is running)');
  lines.push(`  kill (SIGKILL) any process still running a program from ${p.labDir}/hosts/ after that`);
  lines.push(`  remove ${p.remove.length > 0 ? p.remove.join(', ') : '(nothing: no lab files left)'}, then the folder if it is empty`);
  lines.push('nothing was changed.');
  return `${lines.join('\n')}\n`;
}
