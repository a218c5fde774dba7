/**
 * What `ferry node update-config` must change on one node (the job of DomeOS's unpublished update_node_configs.sh,
 * docs/design/domeos.md §2.5), computed from the current file texts alone. Pure: the I/O lives in repoint-node.ts.
 *
 * - --master: API_SERVERS='--api-servers=M' in /etc/sysconfig/kubelet, KUBE_MASTER='--master=M' in
 *   /etc/sysconfig/kube-proxy (and the same flag if it also sits in KUBELET_OPTS / KUBE_PROXY_OPTS, where it would
 *   otherwise keep pointing at the old master), and every `server:` of /etc/sysconfig/kubelet.config when M is https
 *   or KUBELET_OPTS uses that file (--kubeconfig).
 * - --etcd: FLANNEL_ETCD="e1,e2,…" in /etc/sysconfig/flanneld (double quotes, like start_node_centos.sh).
 * - Units to restart: only those whose configuration changed, in the order flanneld → kubelet → kube-proxy.
 */
import { FerryError, inputError, isFerryError } from '../errors.ts';
import { parseEnvironmentFile } from '../sysconfig/envfile.ts';
import { readFlagInValue, readKubeconfigServers, readSysconfigValue, rewriteFlagInValue, rewriteKubeconfigServer, rewriteSysconfigValue } from '../sysconfig/rewrite.ts';
import { formatHostPort, parseEndpointURL, readWrittenHost } from '../inventory/urls.ts';

export const NODE_FILES = {
  kubelet: '/etc/sysconfig/kubelet',
  kubeProxy: '/etc/sysconfig/kube-proxy',
  flanneld: '/etc/sysconfig/flanneld',
  kubeletConfig: '/etc/sysconfig/kubelet.config',
} as const;
export type NodeFilePath = (typeof NODE_FILES)[keyof typeof NODE_FILES];

/** The node's units, in the order they are restarted: the network first, then what depends on it. */
export const NODE_UNITS = ['flanneld', 'kubelet', 'kube-proxy'] as const;
export type NodeUnit = (typeof NODE_UNITS)[number];

/** Current file contents by path; a missing file is undefined. */
export type NodeFileTexts = Readonly<Partial<Record<NodeFilePath, string>>>;

export interface RepointTarget {
  /** The new apiserver, `http(s)://ip:port`. */
  readonly master?: string;
  /** The new etcd cluster's client URLs (entries without a scheme get http://). */
  readonly etcd?: readonly string[];
}

export interface NodeChange {
  readonly path: NodeFilePath;
  /** The variable (`API_SERVERS`), or `server` for kubelet.config. */
  readonly key: string;
  /** undefined when the variable was missing (it is appended). */
  readonly before: string | undefined;
  readonly after: string;
}

export interface NodeFileChange {
  readonly path: NodeFilePath;
  readonly before: string;
  readonly after: string;
}

export interface NodeChangePlan {
  readonly master: string | undefined;
  readonly etcd: readonly string[] | undefined;
  readonly changes: readonly NodeChange[];
  /** Only the files whose text changes. Empty: the node is already up to date. */
  readonly files: readonly NodeFileChange[];
  readonly units: readonly NodeUnit[];
  /** From --hostname-override; undefined when the kubelet uses the host name. */
  readonly nodeName: string | undefined;
  /** The apiserver on which the node must be Ready afterwards: the new master, or the current one. */
  readonly readyMasterURL: string;
  readonly warnings: readonly string[];
}

/** `http(s)://host:port` with the port written out, as `scheme://host:port` (lowercase); undefined when it is not. */
function parseHostPortURL(raw: string): string | undefined {
  const r = parseEndpointURL(raw.trim(), 'slash');
  if (!r.ok || !r.url.explicitPort) return undefined;
  return `${r.url.scheme}://${formatHostPort(readWrittenHost(raw.trim()) ?? r.url.host, r.url.port)}`;
}

/** `http(s)://ip:port` (a trailing slash is dropped), or inputError NODE_BAD_MASTER. */
export function normalizeMasterURL(raw: string): string {
  const url = parseHostPortURL(raw);
  if (url === undefined) {
    throw inputError('NODE_BAD_MASTER', `--master ${JSON.stringify(raw)} is not http://ip:port or https://ip:port`, {
      hint: 'give the new apiserver with its scheme and port, e.g. --master http://10.17.33.20:8080',
    });
  }
  return url;
}

/**
 * The etcd list as flanneld wants it: entries without a scheme get `http://` (as start_node_centos.sh did), each
 * must be http(s)://host:port, duplicates are dropped (first wins). Entries may themselves be comma lists.
 */
export function normalizeEtcdList(list: readonly string[]): string[] {
  const entries = list.flatMap((e) => e.split(',')).map((e) => e.trim());
  const bad: string[] = [];
  const out: string[] = [];
  for (const e of entries) {
    const url = e === '' ? undefined : parseHostPortURL(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(e) ? e : `http://${e}`);
    if (url === undefined) bad.push(JSON.stringify(e));
    else if (!out.includes(url)) out.push(url);
  }
  if (bad.length > 0 || out.length === 0) {
    throw inputError('NODE_BAD_ETCD', bad.length > 0 ? `--etcd entries are not http(s)://host:port: ${bad.join(', ')}` : '--etcd is empty', {
      hint: 'give the whole NEW etcd cluster, comma-separated: --etcd http://10.17.33.21:4012,http://10.17.33.22:4012',
    });
  }
  return out;
}

/** Run a sysconfig helper on one file, naming the file in any error it throws. */
function inFile<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!isFerryError(err)) throw err;
    throw new FerryError(err.code, `${path}: ${err.message}`, { hint: err.hint, subjects: { ...err.subjects, file: path }, exitCode: err.exitCode, cause: err });
  }
}

class FileEdit {
  text: string;
  readonly touched: string[] = [];
  constructor(
    readonly path: NodeFilePath,
    readonly before: string,
    private readonly changes: NodeChange[],
  ) {
    this.text = before;
  }

  read(key: string): string | undefined {
    return inFile(this.path, () => readSysconfigValue(this.text, key)?.value);
  }

  /** Set `key` to compute(old); `appendIfMissing: false` leaves a missing key alone. */
  set(key: string, compute: (old: string | undefined) => string, quote: "'" | '"', appendIfMissing = true): void {
    const old = this.read(key);
    if (old === undefined && !appendIfMissing) return;
    const value = inFile(this.path, () => compute(old));
    const r = inFile(this.path, () => rewriteSysconfigValue(this.text, key, value, { quote }));
    if (!r.changed) return;
    this.text = r.text;
    this.touched.push(key);
    this.changes.push({ path: this.path, key, before: old, after: value });
  }

  /** systemd, not bash, feeds the units: say so when it would read a rewritten key differently. */
  systemdWarnings(): string[] {
    const seen = parseEnvironmentFile(this.text);
    return this.touched.flatMap((key) => {
      const want = this.read(key);
      const got = seen.get(key);
      return got === want ? [] : [`${this.path}: systemd reads ${key} as ${JSON.stringify(got ?? null)}, not ${JSON.stringify(want)} (an inline comment or \`export\` on that line?)`];
    });
  }
}

function required(files: NodeFileTexts, path: NodeFilePath, why: string): string {
  const text = files[path];
  if (text === undefined) {
    throw inputError('NODE_FILE_MISSING', `${path} does not exist, so ${why}`, {
      hint: 'run this on a node installed by start_node_centos.sh (DomeOS), or check --lab-host',
      subjects: { file: path },
    });
  }
  return text;
}

/** The options, checked and normalized (inputError NODE_NOTHING_TO_DO / NODE_BAD_MASTER / NODE_BAD_ETCD). */
export function validateNodeTarget(opts: RepointTarget): { master: string | undefined; etcd: string[] | undefined } {
  if (opts.master === undefined && opts.etcd === undefined) {
    throw inputError('NODE_NOTHING_TO_DO', 'give --master, --etcd or both', { hint: 'ferry node update-config --master http://10.17.33.20:8080 --etcd 10.17.33.21:4012,10.17.33.22:4012' });
  }
  return { master: opts.master === undefined ? undefined : normalizeMasterURL(opts.master), etcd: opts.etcd === undefined ? undefined : normalizeEtcdList(opts.etcd) };
}

export function buildNodeChanges(files: NodeFileTexts, opts: RepointTarget): NodeChangePlan {
  const { master, etcd } = validateNodeTarget(opts);
  const changes: NodeChange[] = [];
  const warnings: string[] = [];

  const kubelet = new FileEdit(NODE_FILES.kubelet, required(files, NODE_FILES.kubelet, 'this host is not a DomeOS node'), changes);
  const kubeletOpts = kubelet.read('KUBELET_OPTS') ?? '';
  const hostFlag = (v: string | undefined) => (v === undefined ? undefined : readFlagInValue(v, '--hostname-override'));
  // ExecStart passes $HOSTNAME_OVERRIDE before $KUBELET_OPTS, and the last flag wins; kubelet lowercases the name.
  const nodeName = (hostFlag(kubeletOpts) ?? hostFlag(kubelet.read('HOSTNAME_OVERRIDE')))?.trim().toLowerCase() || undefined;
  const currentMaster = readFlagInValue(kubelet.read('API_SERVERS') ?? '', '--api-servers') ?? readFlagInValue(kubeletOpts, '--api-servers');

  let kubeProxy: FileEdit | undefined;
  let kubeconfig: FileEdit | undefined;
  let kubeconfigChanged = false;
  if (master !== undefined) {
    const setFlag = (old: string | undefined, flag: string) => rewriteFlagInValue(old ?? '', flag, master).value;
    kubelet.set('API_SERVERS', (old) => setFlag(old, '--api-servers'), "'");
    if (readFlagInValue(kubeletOpts, '--api-servers') !== undefined) kubelet.set('KUBELET_OPTS', (old) => setFlag(old, '--api-servers'), "'", false);
    kubeProxy = new FileEdit(NODE_FILES.kubeProxy, required(files, NODE_FILES.kubeProxy, 'kube-proxy cannot be repointed'), changes);
    kubeProxy.set('KUBE_MASTER', (old) => setFlag(old, '--master'), "'");
    if (readFlagInValue(kubeProxy.read('KUBE_PROXY_OPTS') ?? '', '--master') !== undefined) kubeProxy.set('KUBE_PROXY_OPTS', (old) => setFlag(old, '--master'), "'", false);

    const https = master.startsWith('https://');
    const ref = readFlagInValue(kubeletOpts, '--kubeconfig');
    const configText = files[NODE_FILES.kubeletConfig];
    if (https && configText === undefined) {
      throw inputError('NODE_KUBECONFIG_MISSING', `the master ${master} is https but ${NODE_FILES.kubeletConfig} (the kubelet's credentials) does not exist`, {
        hint: 'an https master needs the kubeconfig start_node_centos.sh writes (--kube-user/--kube-passwd); create it first',
        subjects: { file: NODE_FILES.kubeletConfig },
      });
    }
    if (https && ref === undefined) warnings.push(`${NODE_FILES.kubelet}: KUBELET_OPTS has no --kubeconfig, so kubelet will not use the credentials of ${NODE_FILES.kubeletConfig}`);
    if (ref !== undefined && ref !== NODE_FILES.kubeletConfig) warnings.push(`${NODE_FILES.kubelet}: KUBELET_OPTS uses --kubeconfig=${ref}; ferry only rewrites ${NODE_FILES.kubeletConfig}`);
    if (configText !== undefined && (https || ref === NODE_FILES.kubeletConfig)) {
      kubeconfig = new FileEdit(NODE_FILES.kubeletConfig, configText, changes);
      const before = readKubeconfigServers(configText);
      const r = inFile(NODE_FILES.kubeletConfig, () => rewriteKubeconfigServer(configText, master));
      if (r.occurrences === 0) {
        throw inputError('NODE_KUBECONFIG_NO_SERVER', `${NODE_FILES.kubeletConfig} has no \`server:\` line to repoint`, { hint: 'check the file (block-style YAML, as start_node_centos.sh writes it)', subjects: { file: NODE_FILES.kubeletConfig } });
      }
      if (r.changed) {
        kubeconfig.text = r.text;
        kubeconfigChanged = true;
        changes.push({ path: NODE_FILES.kubeletConfig, key: 'server', before: before.join(', '), after: master });
      }
    }
  }

  let flanneld: FileEdit | undefined;
  if (etcd !== undefined) {
    flanneld = new FileEdit(NODE_FILES.flanneld, required(files, NODE_FILES.flanneld, 'flanneld cannot be repointed'), changes);
    flanneld.set('FLANNEL_ETCD', () => etcd.join(','), '"');
  }

  const edits = [kubelet, kubeProxy, flanneld].filter((e): e is FileEdit => e !== undefined);
  for (const e of edits) warnings.push(...e.systemdWarnings());
  const fileChanges = [...edits, ...(kubeconfigChanged && kubeconfig !== undefined ? [kubeconfig] : [])]
    .filter((e) => e.text !== e.before)
    .map((e) => ({ path: e.path, before: e.before, after: e.text }));
  const changed = (p: NodeFilePath) => fileChanges.some((f) => f.path === p);
  const units = NODE_UNITS.filter((u) =>
    u === 'flanneld' ? changed(NODE_FILES.flanneld) : u === 'kubelet' ? changed(NODE_FILES.kubelet) || kubeconfigChanged : changed(NODE_FILES.kubeProxy) || kubeconfigChanged,
  );

  const readyFrom = master ?? currentMaster?.split(',')[0];
  const readyMasterURL = readyFrom === undefined ? undefined : parseHostPortURL(/^https?:\/\//i.test(readyFrom) ? readyFrom : `http://${readyFrom}`);
  if (readyMasterURL === undefined) {
    throw inputError('NODE_MASTER_UNKNOWN', `${NODE_FILES.kubelet} names no usable --api-servers (${JSON.stringify(currentMaster ?? null)}), so ferry cannot check the node afterwards`, {
      hint: 'give --master too (the current one, if it does not change)',
      subjects: { file: NODE_FILES.kubelet },
    });
  }
  return { master, etcd, changes, files: fileChanges, units, nodeName, readyMasterURL, warnings };
}
