/** `kube-apiserver --version` on a host, as the runbook asks the operator to compare. */
import { FerryError } from '../errors.ts';
import type { Host } from '../ports/host.ts';

/** Parse `Kubernetes v1.4.7` → `v1.4.7`. Pure. */
export function parseKubeVersion(stdout: string): string | undefined {
  return /Kubernetes\s+(v\d+\.\d+\.\d+[-+.\w]*)/.exec(stdout)?.[1];
}

export async function readKubeVersion(host: Host, binDir: string): Promise<string> {
  const binary = `${binDir}/kube-apiserver`;
  const r = await host.run([binary, '--version'], { check: false, timeoutMs: 15_000 });
  const v = parseKubeVersion(r.stdout) ?? parseKubeVersion(r.stderr);
  if (r.exitCode !== 0 || v === undefined) {
    throw new FerryError('MASTER_VERSION_UNKNOWN', `\`${binary} --version\` on ${host.address} did not print a Kubernetes version (exit ${r.exitCode})`, {
      subjects: { host: host.address },
      hint: `install the same Kubernetes version as the old master under ${binDir} on ${host.address}`,
      exitCode: 2,
    });
  }
  return v;
}
