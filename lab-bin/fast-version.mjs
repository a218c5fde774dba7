// Answers `--version` before a lab stand-in loads tsx and its whole program (which takes ~1 s, and far longer on
// a loaded machine — ferry's version preflight must not time out on it). The rule of the stand-ins' one version
// reader, src/lab/k8s/common/version.ts (plain JS here, as tsx is not loaded yet): the version is the name of the
// folder the program was invoked from (…/k8s/1.4.7/kube-apiserver), resolved through the `current` link; its
// default otherwise. This copy reads x.y.z names only (what the lab installs); the TS reader also takes `v1.4.7`
// and `1.4`.
import { realpathSync } from 'node:fs';
import { basename, dirname } from 'node:path';

const VERSION_LIKE = /^\d+\.\d+\.\d+([-+.][0-9A-Za-z.-]+)?$/;

/** @param {'kubernetes' | 'flannel'} kind */
export function answerVersionIfAsked(kind) {
  const args = process.argv.slice(2);
  if (!args.some((a) => a === '--version' || a === '-version' || a === '--version=true')) return;
  let version;
  try {
    const name = basename(realpathSync(dirname(process.argv[1] ?? '')));
    if (VERSION_LIKE.test(name)) version = name;
  } catch {
    // not installed in a version folder: the default below
  }
  if (kind === 'flannel') {
    process.stderr.write(`${version ?? '0.5.5'}\n`);
  } else {
    process.stdout.write(`Kubernetes v${version ?? '1.4.7'}\n`);
  }
  process.exit(0);
}
