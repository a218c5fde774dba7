/**
 * kube-apiserver's command line, read leniently (common/flags.ts): `--flag=value`, `--flag value`, `-flag=value`,
 * `-flag value`; `--version` alone is true. Flags the stand-in has no use for (admission control, log levels, ...)
 * are accepted with a warning, as DomeOS puts several of them in KUBE_APISERVER_OPTS; a flag it uses without its
 * value is an error.
 */
import { isIPv4 } from 'node:net';
import { FlagStyle, parseFlags, type FlagSpec } from '../common/flags.ts';
import { parseCidr } from './ip-range.ts';

export interface ApiserverOptions {
  /** Client URLs of the etcd cluster (`--etcd-servers`, comma list, required). */
  readonly etcdServers: readonly string[];
  /** Key prefix of every object (`--etcd-prefix`, default /registry), without a trailing slash. */
  readonly etcdPrefix: string;
  /** `--insecure-bind-address`, default 0.0.0.0. */
  readonly insecureBindAddress: string;
  /** `--insecure-port`, default 8080. */
  readonly insecurePort: number;
  /** `--service-cluster-ip-range`, default 10.0.0.0/24. */
  readonly serviceClusterIpRange: string;
  /** `--etcd-cafile`, `--etcd-certfile`, `--etcd-keyfile`: etcd over TLS with a client certificate. */
  readonly etcdTls?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
  /** `--secure-port` with `--tls-cert-file` and `--tls-private-key-file`: https on `--bind-address`. */
  readonly secure?: { readonly port: number; readonly bindAddress: string; readonly certFile: string; readonly keyFile: string };
}

export interface ParsedFlags {
  /** Undefined when `errors` is not empty. */
  readonly options: ApiserverOptions | undefined;
  readonly showVersion: boolean;
  /** One line each, for stderr: ignored flags and arguments. */
  readonly warnings: readonly string[];
  readonly errors: readonly string[];
}

const VALUE_FLAGS = [
  'etcd-servers',
  'etcd-prefix',
  'insecure-bind-address',
  'insecure-port',
  'service-cluster-ip-range',
  'etcd-cafile',
  'etcd-certfile',
  'etcd-keyfile',
  'secure-port',
  'bind-address',
  'tls-cert-file',
  'tls-private-key-file',
  'client-ca-file',
  'storage-backend',
] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

const FLAGS: FlagSpec = { version: 'bool', ...Object.fromEntries(VALUE_FLAGS.map((name) => [name, 'string'])) };

export function parseApiserverFlags(argv: readonly string[]): ParsedFlags {
  const parsed = parseFlags(argv, FLAGS, FlagStyle.lenient);
  const warnings: string[] = [];
  const errors: string[] = [];
  for (const notice of parsed.notices) {
    if (notice.kind === 'stray-argument') warnings.push(`ignoring argument "${notice.word}"`);
    else if (notice.kind === 'unknown-flag') warnings.push(`ignoring flag --${notice.name} (the lab stand-in does not use it)`);
    else errors.push(`flag needs an argument: --${notice.name}`);
  }
  const values = new Map<ValueFlag, string>();
  for (const name of VALUE_FLAGS) {
    const value = parsed.values.get(name);
    if (value !== undefined) values.set(name, value);
  }
  const options = buildOptions(values, errors);
  return { options: errors.length === 0 ? options : undefined, showVersion: parsed.values.get('version') === 'true', warnings, errors };
}

function buildOptions(values: ReadonlyMap<ValueFlag, string>, errors: string[]): ApiserverOptions {
  const etcdServers = (values.get('etcd-servers') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (etcdServers.length === 0) errors.push('--etcd-servers must be specified');
  for (const server of etcdServers) {
    if (!/^https?:\/\/[^/\s]+\/?$/.test(server)) errors.push(`--etcd-servers: "${server}" is not a URL like http://HOST:PORT`);
  }
  const etcdPrefix = (values.get('etcd-prefix') ?? '/registry').replace(/\/+$/, '');
  if (etcdPrefix !== '' && !etcdPrefix.startsWith('/')) errors.push(`--etcd-prefix: "${etcdPrefix}" must start with /`);
  const insecureBindAddress = values.get('insecure-bind-address') ?? '0.0.0.0';
  if (!isIPv4(insecureBindAddress)) errors.push(`--insecure-bind-address: "${insecureBindAddress}" is not an IPv4 address`);
  const portText = values.get('insecure-port') ?? '8080';
  const insecurePort = Number(portText);
  if (!/^\d+$/.test(portText) || insecurePort < 1 || insecurePort > 65535) {
    errors.push(`--insecure-port: "${portText}" is not a port number between 1 and 65535`);
  }
  const serviceClusterIpRange = values.get('service-cluster-ip-range') ?? '10.0.0.0/24';
  const range = parseCidr(serviceClusterIpRange);
  if (range === undefined || range.size < 4) {
    errors.push(`--service-cluster-ip-range: "${serviceClusterIpRange}" is not an IPv4 CIDR with room for services`);
  }
  // The stand-in keeps its registry in etcd's v3 store only. A real 1.4/1.5 apiserver without the flag uses the v2
  // store (etcd2); the lab writes --storage-backend=etcd3 so that what it runs is what its files say.
  const backend = values.get('storage-backend');
  if (backend !== undefined && backend !== 'etcd3') {
    errors.push(`--storage-backend: "${backend}": the lab's apiserver stand-in keeps its registry in etcd's v3 store only (etcd3); the v2 store (etcd2) is not built`);
  }
  const etcdTls = { ca: values.get('etcd-cafile'), cert: values.get('etcd-certfile'), key: values.get('etcd-keyfile') };
  if ((etcdTls.cert === undefined) !== (etcdTls.key === undefined)) errors.push('--etcd-certfile and --etcd-keyfile must be given together');
  const secure = buildSecure(values, errors);
  return {
    etcdServers: etcdServers.map((s) => s.replace(/\/$/, '')),
    etcdPrefix,
    insecureBindAddress,
    insecurePort,
    serviceClusterIpRange,
    ...(etcdTls.ca !== undefined || etcdTls.cert !== undefined ? { etcdTls: { ...(etcdTls.ca !== undefined ? { ca: etcdTls.ca } : {}), ...(etcdTls.cert !== undefined ? { cert: etcdTls.cert } : {}), ...(etcdTls.key !== undefined ? { key: etcdTls.key } : {}) } } : {}),
    ...(secure !== undefined ? { secure } : {}),
  };
}

/**
 * The real binary's secure port defaults to 6443 with a self-signed certificate; the stand-in serves https only
 * when --secure-port and the certificate files are all given (the lab's TLS masters), plain http otherwise.
 */
function buildSecure(values: ReadonlyMap<ValueFlag, string>, errors: string[]): ApiserverOptions['secure'] {
  const portText = values.get('secure-port');
  const certFile = values.get('tls-cert-file');
  const keyFile = values.get('tls-private-key-file');
  if (portText === undefined || portText === '0') return undefined;
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    errors.push(`--secure-port: "${portText}" is not a port number between 1 and 65535`);
    return undefined;
  }
  if (certFile === undefined || keyFile === undefined) {
    errors.push('--secure-port needs --tls-cert-file and --tls-private-key-file in the lab stand-in (it makes no self-signed certificate)');
    return undefined;
  }
  const bindAddress = values.get('bind-address') ?? '0.0.0.0';
  if (!isIPv4(bindAddress)) errors.push(`--bind-address: "${bindAddress}" is not an IPv4 address`);
  return { port, bindAddress, certFile, keyFile };
}
