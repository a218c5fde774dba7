/**
 * Reading the master for discovery, through its Host (SSH or lab): which of its units (docs/design/domeos.md §2.3) are there
 * and running, its /etc/sysconfig files, the flags kube-apiserver runs with (its unit's ExecStart expanded with its
 * sysconfig file, as systemd would), and `kube-apiserver --version` of the installed binaries.
 */
import { inputError, messageOf } from '../errors.ts';
import type { Host } from '../ports/host.ts';
import { MASTER_SYSCONFIG_FILES, MASTER_UNITS, unitFileCandidates } from '../master/files.ts';
import { readKubeVersion } from '../observe/kube-version.ts';
import { K8S_BIN_DIR } from '../master/files.ts';
import { readArgvFlag } from './argv-flags.ts';
import { buildApiserverFlags, parseFlannelEtcd } from './master-facts.ts';
import { readFirstFile } from './read-files.ts';
import type { MasterFacts, UnitFacts } from './types.ts';
import { buildCommandLine, parseUnitSummary, type UnitSummary } from './unit-facts.ts';

/** Units whose sysconfig file carries `KUBE_MASTER='--master=…'`. */
const MASTER_CLIENT_UNITS = ['kube-controller', 'kube-scheduler', 'kube-proxy'] as const;

function sysconfigPath(unit: string): string {
  return `/etc/sysconfig/${unit}`;
}

export async function readMasterFacts(host: Host): Promise<MasterFacts> {
  const units: UnitFacts[] = [];
  const summaries = new Map<string, UnitSummary>();
  for (const name of MASTER_UNITS) {
    const file = await readFirstFile(host, unitFileCandidates(name));
    const parsed = file === undefined ? undefined : parseUnitSummary(file.text, `${name}.service`);
    if (parsed?.ok === true) summaries.set(name, parsed.unit);
    units.push({ name, ...(file !== undefined ? { unitPath: file.path } : {}), state: await host.serviceState(name) });
  }
  const texts = new Map<string, string>();
  for (const path of MASTER_SYSCONFIG_FILES) {
    const data = await host.readFile(path);
    if (data !== undefined) texts.set(path, data.toString('utf8'));
  }
  const apiserverText = texts.get(sysconfigPath('kube-apiserver'));
  if (apiserverText === undefined && !summaries.has('kube-apiserver')) {
    throw inputError('DISCOVER_NOT_A_MASTER', `${host.address} has no kube-apiserver unit and no /etc/sysconfig/kube-apiserver: it is not a DomeOS master`, {
      subjects: { host: host.address },
      hint: "give --master the address of the host that runs kube-apiserver (the DomeOS master), as ferry's SSH (or lab) access reaches it",
    });
  }
  const apiserverFlags = apiserverText === undefined ? undefined : buildApiserverFlags(buildCommandLine(summaries.get('kube-apiserver'), apiserverText));
  const flanneldText = texts.get(sysconfigPath('flanneld'));
  const flannelEtcd = flanneldText === undefined ? undefined : parseFlannelEtcd(flanneldText);
  const masterFlags: Record<string, string> = {};
  for (const unit of MASTER_CLIENT_UNITS) {
    const text = texts.get(sysconfigPath(unit));
    const value = text === undefined ? undefined : readArgvFlag(buildCommandLine(summaries.get(unit), text), 'master');
    if (value !== undefined && value !== '') masterFlags[unit] = value;
  }
  let kubeVersion: string | undefined;
  let kubeVersionError: string | undefined;
  try {
    kubeVersion = await readKubeVersion(host, K8S_BIN_DIR);
  } catch (err) {
    kubeVersionError = messageOf(err);
  }
  return {
    host: host.address,
    units,
    files: MASTER_SYSCONFIG_FILES.map((path) => ({ path, present: texts.has(path) })),
    ...(apiserverFlags !== undefined ? { apiserverFlags } : {}),
    ...(flannelEtcd !== undefined ? { flannelEtcd } : {}),
    masterFlags,
    ...(kubeVersion !== undefined ? { kubeVersion } : {}),
    ...(kubeVersionError !== undefined ? { kubeVersionError } : {}),
  };
}
