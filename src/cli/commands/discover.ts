/**
 * `ferry discover`: build an inventory from a live cluster (etcd members, the master's units and files, nodes, DNS,
 * the DomeOS record), so that the operator only adds the new hosts. Read-only on the cluster; writes only --out (or
 * prints to stdout). Cross-checks go to stderr as warnings, and into the file's header.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FerryError, inputError, messageOf } from '../../errors.ts';
import { computeCrossChecks } from '../../discover/cross-checks.ts';
import { openDiscoverDeps } from '../../app/discover-deps.ts';
import { readDiscovery } from '../../discover/discover.ts';
import { renderDiscovered } from '../../discover/document.ts';
import { buildDiscoverInput } from '../../discover/input.ts';
import type { Discovery } from '../../discover/types.ts';
import { parseCommand } from '../args.ts';
import { green, yellow, type Io } from '../io.ts';

/** Write `text` to `path` through a temp file in the same folder and a rename: never a half-written inventory. */
function writeOut(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.ferry-tmp-${randomBytes(4).toString('hex')}`);
  try {
    writeFileSync(tmp, text, { mode: 0o644, flag: 'wx' });
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // not created
    }
    throw new FerryError('DISCOVER_WRITE_FAILED', `cannot write the inventory to ${path}: ${(err as NodeJS.ErrnoException).code ?? messageOf(err)}`, {
      subjects: { file: path },
      hint: 'check that the folder exists and is writable, or leave out --out to print the inventory',
      cause: err,
    });
  }
}

function summary(d: Discovery): string {
  const members = d.etcd.members.filter((m) => m.name !== '').length;
  const dns = d.dns === undefined ? 'no DNS add-on' : `DNS ${d.dns.namespace}/${d.dns.service ?? '?'}`;
  const consoleText = d.console === undefined ? '' : `, DomeOS cluster ${d.console.cluster}`;
  return `discovered ${members} etcd member(s) (leader ${d.etcd.leader ?? 'none agreed'}), master ${d.master.host} (Kubernetes ${d.master.kubeVersion ?? 'version unknown'}), ${d.nodes.length} node(s), ${dns}${consoleText}`;
}

/** A local path as the inventory should hold it: `~/…` kept (validate expands it), a relative path made absolute. */
function absolute(p: string | undefined): string | undefined {
  return p === undefined || p === '' || p.startsWith('~') || p.startsWith('/') ? p : resolve(p);
}

export async function cmdDiscover(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommand('discover', argv);
  const input = buildDiscoverInput({
    etcd: values.etcd,
    master: values.master,
    apiserver: values.apiserver,
    lab: values.lab,
    labDir: absolute(values['lab-dir']),
    sshUser: values['ssh-user'],
    sshKey: absolute(values['ssh-key']),
    sshPort: values['ssh-port'],
    knownHosts: absolute(values['known-hosts']),
    sudo: values.sudo,
    console: values.console,
    consoleCluster: values['console-cluster'],
    consoleCredentials: absolute(values['console-credentials']),
    name: values.name,
    output: values.output,
    out: values.out,
    force: values.force,
  });
  if (input.out !== undefined && !input.force && existsSync(input.out)) {
    throw inputError('DISCOVER_OUT_EXISTS', `${input.out} already exists; ferry discover does not overwrite it`, {
      subjects: { file: input.out },
      hint: 'choose another --out file, or add --force to replace it',
    });
  }
  const deps = openDiscoverDeps({ etcd: input.etcd, access: input.access, env: io.env });
  let discovery: Discovery;
  try {
    discovery = await readDiscovery(input, deps);
  } finally {
    await deps.close();
  }
  const warnings = computeCrossChecks(discovery);
  const text = renderDiscovered(discovery, warnings, input.format);
  for (const w of warnings) io.err(`${yellow(io, 'warning')}: ${w}\n`);
  io.err(`${summary(discovery)}\n`);
  const file = input.out ?? 'FILE';
  if (input.out !== undefined) {
    writeOut(input.out, text);
    io.err(green(io, `inventory written to ${input.out}`) + '\n');
  } else io.out(text);
  io.err(`next: fill in etcd.new and master.new (marked FILL IN), then \`ferry validate -f ${file}\` and \`ferry plan -f ${file}\`\n`);
  return 0;
}
