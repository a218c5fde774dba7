/**
 * A lab stand-in's version comes from where it is installed, as with the real binaries of DomeOS's layout
 * (`/usr/sbin/domeos/k8s/<version>/kubelet`, `/usr/sbin/domeos/flannel/<version>/flanneld`, each with a
 * `current` link): the real path of the folder the program was invoked from, e.g. `…/k8s/current/kubelet` →
 * `…/k8s/1.4.7` → `1.4.7` (docs/design/lab-conventions.md §5). Every stand-in reads it here; lab-bin/fast-version.mjs
 * answers `--version` by the same rule before tsx is loaded.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/** DomeOS's default Kubernetes version (start_*_centos.sh `K8S_VERSION`): a stand-in run from elsewhere. */
export const DEFAULT_K8S_VERSION = '1.4.7';
/** DomeOS's only flannel version (`FLANNEL_VERSION`). */
export const DEFAULT_FLANNEL_VERSION = '0.5.5';

/**
 * `1.4.7`, `1.3.11-ndots1`, `v1.5.5` (the `v` dropped) and `1.4` are versions; `current`, `lab-bin` are not. The
 * union of what the stand-ins each recognised before they shared this reader, so none reads a folder differently.
 */
const VERSION_LIKE = /^\d+\.\d+(\.\d+)?([-+.][0-9A-Za-z.-]+)?$/;

/** The version a folder's name stands for, or `fallback` when the name is not a version. */
export function versionFromFolderName(name: string, fallback: string = DEFAULT_K8S_VERSION): string {
  const version = name.replace(/^v/, '');
  return VERSION_LIKE.test(version) ? version : fallback;
}

/**
 * The version of the program invoked as `invokedAs` (process.argv[1], or an agent's argv[0]): the name of the real
 * folder it sits in, through symlinks; `fallback` when that is not a version (run straight from lab-bin/) or the
 * path cannot be resolved.
 */
export function readProgramVersion(invokedAs: string | undefined, fallback: string = DEFAULT_K8S_VERSION): string {
  if (invokedAs === undefined || invokedAs === '') return fallback;
  let dir: string;
  try {
    dir = realpathSync(dirname(resolve(invokedAs)));
  } catch {
    return fallback;
  }
  return versionFromFolderName(basename(dir), fallback);
}
