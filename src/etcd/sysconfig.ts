/**
 * The DomeOS etcd files (docs/design/domeos.md §2.4, `start_etcd.sh`): `/etc/sysconfig/etcd`, one single-quoted variable per
 * etcd flag, and `etcd.service`, whose ExecStart= passes those variables as `$VAR` words. Pure rendering and
 * parsing, used by the lab to create the old cluster and by the migration steps to configure a new member.
 */
import { inputError } from '../errors.ts';
import { parseEnvironmentFile } from '../sysconfig/envfile.ts';

export interface EtcdSysconfigParams {
  readonly name: string;
  readonly peerURL: string;
  readonly clientURL: string;
  readonly initialCluster: readonly { readonly name: string; readonly peerURL: string }[];
  readonly state: 'new' | 'existing';
  readonly token: string;
  readonly dataDir: string;
  /** Extra flags, e.g. `-enable-v2`; default none. */
  readonly opts?: string;
  /** Where to listen for peers; default the peer URL itself. A wildcard (`http://0.0.0.0:4010`) as DomeOS did. */
  readonly listenPeerURL?: string;
  /** Where to listen for clients; default the client URL itself. A wildcard (`http://0.0.0.0:4012`) as DomeOS did. */
  readonly listenClientURL?: string;
}

/**
 * The variable that carries `-name`. DomeOS calls it ETCD_NAME, but systemd passes EnvironmentFile= variables to
 * the process, and etcd 3.4 reads ETCD_<FLAG> variables itself and refuses to start when one is also given as a
 * flag: `pkg/flags: conflicting environment variable "ETCD_NAME" is shadowed by corresponding command-line flag`
 * (exit 1; seen with etcd 3.4.23 here — 2.x only warned). So the files ferry writes use MEMBER_NAME instead;
 * {@link parseEtcdSysconfig} reads either.
 */
export const NAME_VARIABLE = 'MEMBER_NAME';

/** The variables in ExecStart= order, with the flag each one carries. */
const FLAG_VARIABLES = [
  [NAME_VARIABLE, '-name'],
  ['INITIAL_ADVERTISE_PEER_URLS', '-initial-advertise-peer-urls'],
  ['LISTEN_PEER_URLS', '-listen-peer-urls'],
  ['ADVERTISE_CLIENT_URLS', '-advertise-client-urls'],
  ['LISTEN_CLIENT_URLS', '-listen-client-urls'],
  ['INITIAL_CLUSTER_TOKEN', '-initial-cluster-token'],
  ['INITIAL_CLUSTER', '-initial-cluster'],
  ['INITIAL_CLUSTER_STATE', '-initial-cluster-state'],
  ['DATA_DIR', '-data-dir'],
] as const;

/** A value that would break out of its single quotes, or split into two words in ExecStart=. */
function checkWord(field: string, value: string, allowSpaces = false): void {
  const bad = allowSpaces ? /['\r\n]/ : /['\s]/;
  if (value === '' && !allowSpaces) throw inputError('ETCD_SYSCONFIG_INVALID_VALUE', `etcd sysconfig: ${field} is empty`);
  if (bad.test(value)) {
    throw inputError('ETCD_SYSCONFIG_INVALID_VALUE', `etcd sysconfig: ${field} "${value}" contains a quote${allowSpaces ? ' or line break' : ' or whitespace'}`, {
      hint: 'Member names, URLs, tokens and paths must be single words without quotes.',
    });
  }
}

export function renderEtcdSysconfig(p: EtcdSysconfigParams): string {
  const cluster = p.initialCluster.map((m) => `${m.name}=${m.peerURL}`).join(',');
  const values: Record<(typeof FLAG_VARIABLES)[number][0], string> = {
    [NAME_VARIABLE]: p.name,
    INITIAL_ADVERTISE_PEER_URLS: p.peerURL,
    // DomeOS listens on 0.0.0.0:<port>; by default ferry listens on the member's own URL: lab hosts share one
    // machine (127.x.y.z addresses), where a wildcard listener on the port would collide with the other "hosts".
    // The migration steps pass a wildcard when the old member listened on one (see buildListenURL).
    LISTEN_PEER_URLS: p.listenPeerURL ?? p.peerURL,
    ADVERTISE_CLIENT_URLS: p.clientURL,
    LISTEN_CLIENT_URLS: p.listenClientURL ?? p.clientURL,
    INITIAL_CLUSTER_TOKEN: p.token,
    INITIAL_CLUSTER: cluster,
    INITIAL_CLUSTER_STATE: p.state,
    DATA_DIR: p.dataDir,
  };
  const lines = [
    '# configure file for etcd (written by ferry)',
    `# The member name is in ${NAME_VARIABLE}, not ETCD_NAME: etcd 3.4 refuses to start when ETCD_NAME is in its`,
    '# environment and -name is also given, and systemd passes these variables to the process.',
  ];
  for (const [variable, flag] of FLAG_VARIABLES) {
    checkWord(variable, values[variable]);
    lines.push(`${variable}='${flag} ${values[variable]}'`);
  }
  const opts = p.opts ?? '';
  checkWord('ETCD_OPTS', opts, true);
  lines.push(`ETCD_OPTS='${opts}'`);
  return `${lines.join('\n')}\n`;
}

export interface EtcdSysconfig {
  readonly name?: string;
  readonly initialAdvertisePeerURLs?: string;
  readonly listenPeerURLs?: string;
  readonly advertiseClientURLs?: string;
  readonly listenClientURLs?: string;
  readonly initialClusterToken?: string;
  /** `-initial-cluster` split into entries (a member with two peer URLs has two entries). */
  readonly initialCluster?: readonly { readonly name: string; readonly peerURL: string }[];
  /** `new` or `existing` (as written; not checked). */
  readonly initialClusterState?: string;
  readonly dataDir?: string;
  /** ETCD_OPTS as written ('' when absent). */
  readonly opts: string;
  /** Every variable in the file. */
  readonly variables: ReadonlyMap<string, string>;
}

/** The value of `-flag value`, `--flag value`, `-flag=value` or `--flag=value`; undefined when absent or empty. */
function flagValue(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*--?[A-Za-z0-9-]+(?:=|\s+)(.*?)\s*$/s.exec(text);
  const value = m?.[1];
  return value === undefined || value === '' ? undefined : value;
}

/** Read an etcd sysconfig written by ferry or by DomeOS's `start_etcd.sh` (which uses ETCD_NAME). */
export function parseEtcdSysconfig(text: string): EtcdSysconfig {
  const vars = parseEnvironmentFile(text);
  const cluster = flagValue(vars.get('INITIAL_CLUSTER'));
  const initialCluster = cluster?.split(',').filter((e) => e !== '').map((entry) => {
    const eq = entry.indexOf('=');
    return eq < 0 ? { name: '', peerURL: entry } : { name: entry.slice(0, eq), peerURL: entry.slice(eq + 1) };
  });
  return {
    name: flagValue(vars.get(NAME_VARIABLE) ?? vars.get('ETCD_NAME')),
    initialAdvertisePeerURLs: flagValue(vars.get('INITIAL_ADVERTISE_PEER_URLS')),
    listenPeerURLs: flagValue(vars.get('LISTEN_PEER_URLS')),
    advertiseClientURLs: flagValue(vars.get('ADVERTISE_CLIENT_URLS')),
    listenClientURLs: flagValue(vars.get('LISTEN_CLIENT_URLS')),
    initialClusterToken: flagValue(vars.get('INITIAL_CLUSTER_TOKEN')),
    initialCluster,
    initialClusterState: flagValue(vars.get('INITIAL_CLUSTER_STATE')),
    dataDir: flagValue(vars.get('DATA_DIR')),
    opts: vars.get('ETCD_OPTS') ?? '',
    variables: vars,
  };
}

export interface EtcdUnitParams {
  /** etcd binary on the host, e.g. `/usr/sbin/domeos/etcd/current/etcd`. */
  readonly binary: string;
  /** The sysconfig file, e.g. `/etc/sysconfig/etcd`. */
  readonly configFile: string;
}

export function renderEtcdUnit(p: EtcdUnitParams): string {
  checkWord('binary', p.binary);
  checkWord('configFile', p.configFile);
  const words = [...FLAG_VARIABLES.map(([variable]) => `$${variable}`), '$ETCD_OPTS'];
  return [
    '[Unit]',
    'Description=etcd key-value store (written by ferry)',
    'After=network.target',
    '',
    '[Service]',
    'Type=simple',
    `EnvironmentFile=${p.configFile}`,
    `ExecStart=${p.binary} ${words.join(' ')}`,
    // DomeOS uses Restart=always. A member removed from the cluster exits by itself with status 0 and must stay
    // down (restarting it would make it try to rejoin with a stale data dir); on-failure still restarts a crash.
    'Restart=on-failure',
    'RestartSec=1',
    'LimitNOFILE=65536',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/**
 * The listen URL for a new member, following the old member's habit: if the old one listened on a wildcard address
 * (`0.0.0.0` or `[::]`, as DomeOS's start_etcd.sh does, so local tools can use 127.0.0.1), so does the new one, on
 * the new member's own port and scheme; otherwise the new member listens on its own URL. Pure.
 */
export function buildListenURL(ownURL: string, oldListen: string | undefined): string {
  if (oldListen === undefined) return ownURL;
  const first = oldListen.split(',')[0] ?? '';
  let old: URL;
  let own: URL;
  try {
    old = new URL(first);
    own = new URL(ownURL);
  } catch {
    return ownURL;
  }
  if (old.hostname === '0.0.0.0' || old.hostname === '[::]') return `${own.protocol}//${old.hostname}:${own.port}`;
  return ownURL;
}

/** Paths on the member's host of the files etcd serves TLS with. */
export interface EtcdTlsPaths {
  /** The CA that signed the client and peer certificates it accepts (`--trusted-ca-file`, `--peer-trusted-ca-file`). */
  readonly ca: string;
  /** The member's certificate, for clients and peers alike (its SANs name the member's address). */
  readonly cert: string;
  readonly key: string;
}

/**
 * The etcd flags for client and peer TLS with client-certificate auth, for ETCD_OPTS (pure). They go in ETCD_OPTS,
 * not ETCD_* variables: etcd 3.4 reads ETCD_<FLAG> from its environment, which systemd fills from this file, and
 * ETCD_OPTS is what the migration copies from an old member's file to a new one's (member-config.ts), so the new
 * members get the same TLS settings at the same paths. The URLs (https) come from the inventory.
 */
export function buildEtcdTlsOpts(p: EtcdTlsPaths): string {
  for (const [field, value] of Object.entries(p)) checkWord(`tls.${field}`, value);
  return [
    `--cert-file=${p.cert}`,
    `--key-file=${p.key}`,
    '--client-cert-auth',
    `--trusted-ca-file=${p.ca}`,
    `--peer-cert-file=${p.cert}`,
    `--peer-key-file=${p.key}`,
    '--peer-client-cert-auth',
    `--peer-trusted-ca-file=${p.ca}`,
  ].join(' ');
}
