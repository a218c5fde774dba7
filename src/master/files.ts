/**
 * The new master's configuration, cloned from the old master's (runbook §4: "the same way as
 * start_master_centos.sh", at the same Kubernetes version, on the ALL-NEW etcd list). Pure: old file texts in,
 * new texts and the list of changes out. Every other byte of each file is kept (src/sysconfig/rewrite.ts).
 *
 * What changes (docs/design/domeos.md §2.3):
 *   - kube-apiserver: ETCD_SERVERS='--etcd-servers=<all new etcd client URLs>'
 *   - flanneld:       FLANNEL_ETCD="<all new etcd client URLs>"
 *   - every file:     the old master's address, wherever it stands as a whole word in a value (the bind address,
 *                     KUBE_MASTER='--master=http://<host>:8080', FLANNEL_IFACE, --advertise-address, ...), becomes
 *                     the new master's address.
 */
import { parseEnvironmentFile } from '../sysconfig/envfile.ts';
import { readFlagInValue, readSysconfigValue, rewriteFlagInValue, rewriteSysconfigValue } from '../sysconfig/rewrite.ts';

/** Where DomeOS installs the Kubernetes binaries (docs/design/domeos.md §2.1). */
export const K8S_BIN_DIR = '/usr/sbin/domeos/k8s/current';

/** The master's sysconfig files, as start_master_centos.sh writes them. */
export const MASTER_SYSCONFIG_FILES = [
  '/etc/sysconfig/kube-apiserver',
  '/etc/sysconfig/kube-controller',
  '/etc/sysconfig/kube-scheduler',
  '/etc/sysconfig/kube-proxy',
  '/etc/sysconfig/flanneld',
] as const;

/** The order the runbook stops the old master's services in (§3). */
export const MASTER_STOP_ORDER = ['kube-controller', 'kube-scheduler', 'kube-proxy', 'kube-apiserver'] as const;
/** What start_master_centos_for_migrate.sh starts: everything but the scheduler and the controller (§4). */
export const NEW_MASTER_FIRST_UNITS = ['flanneld', 'kube-apiserver', 'kube-proxy'] as const;
/** Started only after every node is Ready on the new master (§6.1), controller first as the runbook does. */
export const HELD_BACK_UNITS = ['kube-controller', 'kube-scheduler'] as const;
/** Units whose unit files are cloned. */
export const MASTER_UNITS = ['flanneld', 'kube-apiserver', 'kube-controller', 'kube-scheduler', 'kube-proxy'] as const;

export interface FileChange {
  readonly file: string;
  readonly key: string;
  readonly from: string;
  readonly to: string;
}

export interface CloneInput {
  readonly oldHost: string;
  readonly newHost: string;
  /** All new etcd client URLs, with scheme; undefined keeps the etcd lists as they are (a master-only migration). */
  readonly etcd?: readonly string[];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replace `from` where it stands as a whole address (not part of a longer address or name). Pure. */
export function replaceAddress(value: string, from: string, to: string): string {
  const re = new RegExp(`(^|[^A-Za-z0-9.-])${escapeRegExp(from)}(?![A-Za-z0-9-]|\\.[A-Za-z0-9])`, 'g');
  return value.replace(re, (_m, pre: string) => `${pre}${to}`);
}

/** One cloned sysconfig file. */
export function buildNewMasterFile(file: string, text: string, input: CloneInput): { text: string; changes: FileChange[] } {
  let out = text;
  const changes: FileChange[] = [];
  for (const key of parseEnvironmentFile(text).keys()) {
    const current = readSysconfigValue(out, key);
    if (current === undefined) continue;
    let value = current.value;
    const isEtcdList = key === 'FLANNEL_ETCD' || (key === 'ETCD_SERVERS' && readFlagInValue(value, 'etcd-servers') !== undefined);
    if (isEtcdList) {
      // The etcd list is set, never address-replaced: an etcd member may share the old master's host.
      if (input.etcd === undefined) continue;
      const list = input.etcd.join(',');
      value = key === 'FLANNEL_ETCD' ? list : rewriteFlagInValue(value, 'etcd-servers', list).value;
    } else value = replaceAddress(value, input.oldHost, input.newHost);
    if (value !== current.value) {
      out = rewriteSysconfigValue(out, key, value).text;
      changes.push({ file, key, from: current.value, to: value });
    }
  }
  return { text: out, changes };
}

/** Where a unit file may live, in systemd's order of precedence. */
export function unitFileCandidates(unit: string): string[] {
  return [`/etc/systemd/system/${unit}.service`, `/lib/systemd/system/${unit}.service`, `/usr/lib/systemd/system/${unit}.service`];
}
