/**
 * The Kubernetes and flannel binaries of a lab host in DomeOS's layout (docs/design/domeos.md §2.1): the programs in
 * `/usr/sbin/domeos/k8s/<version>/` with `current -> <version>`, and `/usr/sbin/domeos/flannel/<version>/flanneld`
 * with its own `current`. In the lab they are symlinks to the repo's shims (lab-bin/), and kubectl to this
 * machine's real one. `current` links are relative (`current -> 1.4.7`): an absolute target would leave the root.
 */
import { lstat, mkdir, readlink, rm, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FerryError } from '../../errors.ts';
import { FLANNEL_INSTALL_PATH, K8S_INSTALL_PATH } from '../domeos/node-files.ts';
import { LAB_BIN_DIR } from '../node-runtime/lab-bin.ts';
import { DEFAULT_FLANNEL_VERSION as DEFAULT_LAB_FLANNEL_VERSION, DEFAULT_K8S_VERSION as DEFAULT_LAB_K8S_VERSION } from '../k8s/common/version.ts';
import { mapPathIntoRoot } from '../paths.ts';

/** What start_master_centos.sh installs from master.tgz. */
export const MASTER_K8S_PROGRAMS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'kubectl'] as const;
/** What start_node_centos.sh installs from node.tgz. */
export const NODE_K8S_PROGRAMS = ['kube-proxy', 'kubelet', 'kubectl'] as const;

export interface K8sBinaryOptions {
  readonly programs: readonly string[];
  /** Default 1.4.7. */
  readonly k8sVersion?: string;
  /** Default 0.5.5. */
  readonly flannelVersion?: string;
  /** This machine's kubectl; default /usr/bin/kubectl. */
  readonly kubectl?: string;
  /** Default the repo's lab-bin. */
  readonly labBinDir?: string;
}

/** `ln -fsn target link`: the link ends up pointing at target whatever was there. */
async function forceSymlink(target: string, link: string): Promise<void> {
  const st = await lstat(link).catch(() => undefined);
  if (st !== undefined) {
    if (st.isSymbolicLink() && (await readlink(link)) === target) return;
    if (!st.isSymbolicLink()) throw new FerryError('LAB_HOST_SETUP_FAILED', `${link} exists and is not a symlink`, { subjects: { file: link } });
    await rm(link);
  }
  await mkdir(dirname(link), { recursive: true });
  await symlink(target, link);
}

export async function writeK8sBinaries(root: string, o: K8sBinaryOptions): Promise<void> {
  const version = o.k8sVersion ?? DEFAULT_LAB_K8S_VERSION;
  const flannelVersion = o.flannelVersion ?? DEFAULT_LAB_FLANNEL_VERSION;
  const labBin = o.labBinDir ?? LAB_BIN_DIR;
  const k8sDir = mapPathIntoRoot(root, `${K8S_INSTALL_PATH}/${version}`);
  for (const program of o.programs) {
    await forceSymlink(program === 'kubectl' ? (o.kubectl ?? '/usr/bin/kubectl') : join(labBin, program), join(k8sDir, program));
  }
  await forceSymlink(version, mapPathIntoRoot(root, `${K8S_INSTALL_PATH}/current`));
  const flannelDir = mapPathIntoRoot(root, `${FLANNEL_INSTALL_PATH}/${flannelVersion}`);
  await forceSymlink(join(labBin, 'flanneld'), join(flannelDir, 'flanneld'));
  await forceSymlink(flannelVersion, mapPathIntoRoot(root, `${FLANNEL_INSTALL_PATH}/current`));
}
