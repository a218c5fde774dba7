/**
 * A lab stand-in's version comes from where it is installed, as with the real binaries of DomeOS's layout
 * (`/usr/sbin/domeos/k8s/<version>/kubelet`, `/usr/sbin/domeos/flannel/<version>/flanneld`, each with a
 * `current` link): the real path of the folder the program was invoked from, e.g. `…/k8s/current/kubelet` →
 * `…/k8s/1.4.7` → `1.4.7` (ISSUE3.md, lab conventions).
 */
import { realpathSync } from 'node:fs';
import { basename, dirname } from 'node:path';

/** DomeOS's default Kubernetes version (start_*_centos.sh `K8S_VERSION`). */
export const DEFAULT_LAB_K8S_VERSION = '1.4.7';
/** DomeOS's only flannel version (`FLANNEL_VERSION`). */
export const DEFAULT_LAB_FLANNEL_VERSION = '0.5.5';

const VERSION_LIKE = /^\d+\.\d+\.\d+([-+.][0-9A-Za-z.-]+)?$/;

/** The version folder's name, when the program sits in one (else undefined: e.g. run from the repo's lab-bin). */
export function readProgramVersion(programPath: string): string | undefined {
  let dir: string;
  try {
    dir = realpathSync(dirname(programPath));
  } catch {
    return undefined;
  }
  const name = basename(dir);
  return VERSION_LIKE.test(name) ? name : undefined;
}
