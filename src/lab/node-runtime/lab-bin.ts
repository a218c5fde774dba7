/**
 * The repo's node-program shims (lab-bin/kubelet, lab-bin/kube-proxy, lab-bin/flanneld), and recognising a
 * unit's executable as one of them: a lab host's `/usr/sbin/domeos/k8s/current/kubelet` is a symlink chain ending
 * at lab-bin/kubelet. The supervisor runs such units as agents in a node runtime instead of as processes.
 */
import { realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAgentProgram, type AgentProgram } from './agent.ts';

/** `<repo>/lab-bin` (this file is `<repo>/src/lab/node-runtime/lab-bin.ts`, or its built copy under dist/). */
export const LAB_BIN_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'lab-bin');

let labBinReal: Promise<string | undefined> | undefined;

/** The node program `exe` runs, when its real path is one of the shims; else undefined. */
export async function resolveAgentProgram(exe: string, labBinDir: string = LAB_BIN_DIR): Promise<AgentProgram | undefined> {
  const real = await realpath(exe).catch(() => undefined);
  if (real === undefined) return undefined;
  const binDir = labBinDir === LAB_BIN_DIR ? await (labBinReal ??= realpath(LAB_BIN_DIR).catch(() => undefined)) : await realpath(labBinDir).catch(() => undefined);
  if (binDir === undefined || dirname(real) !== binDir) return undefined;
  const name = basename(real);
  return isAgentProgram(name) ? name : undefined;
}
