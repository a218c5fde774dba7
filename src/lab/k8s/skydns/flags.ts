/**
 * skydns 2.5's command line (pure): Go `flag` syntax (`-addr=…`, `--addr=…`, `--addr …`), the flags of
 * skynetservices/skydns main.go (2.0 and 2.5 together, so either image's manifest is accepted), and the
 * environment variables it reads for defaults (SKYDNS_DOMAIN, SKYDNS_ADDR, SKYDNS_NAMESERVERS, ETCD_MACHINES,
 * SKYDNS_PATH_PREFIX). DomeOS runs it with `--machines`, `--domain`, `--addr=0.0.0.0:53`, `--nameservers` and, in
 * the later manifests, `--path-prefix` (docs/design/domeos.md §4).
 *
 * Two kinds of failure, as with the real program: a flag `flag` refuses (unknown, bad duration or number) is a
 * usage error, exit 2; an `-addr` or `-nameservers` entry that is not `IP:port` is refused after parsing with
 * `log.Fatalf`, exit 1.
 */
import { FlagStyle, parseFlags, type FlagSpec } from '../common/flags.ts';
import { parseGoDurationMs } from '../common/go-duration.ts';
import { DEFAULT_PATH_PREFIX, toFqdn } from './msg.ts';

export const DEFAULT_SKYDNS_DOMAIN = 'skydns.local.';
export const DEFAULT_SKYDNS_ADDR = '127.0.0.1:53';
export const DEFAULT_ETCD_MACHINES = 'http://127.0.0.1:2379';
/** The version the 2015–2016 skydns images print (`skydns server version: …`). */
export const SKYDNS_VERSION = '2.5.3a';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface SkydnsConfig {
  readonly machines: readonly string[];
  /** Lower case, with its trailing dot. */
  readonly domain: string;
  readonly addr: HostPort;
  readonly nameservers: readonly HostPort[];
  /** Without leading or trailing slashes. */
  readonly pathPrefix: string;
  readonly noRec: boolean;
  readonly roundRobin: boolean;
  readonly readTimeoutMs: number;
  readonly verbose: boolean;
  readonly version: boolean;
  readonly help: boolean;
}

export const SKYDNS_FLAGS: FlagSpec = {
  domain: 'string',
  addr: 'string',
  nameservers: 'string',
  machines: 'string',
  'path-prefix': 'string',
  'no-rec': 'bool',
  rtimeout: 'string',
  'round-robin': 'bool',
  verbose: 'bool',
  version: 'bool',
  help: 'bool',
  h: 'bool',
  // accepted, not acted on
  dnssec: 'string',
  local: 'string',
  'tls-key': 'string',
  'tls-pem': 'string',
  'ca-cert': 'string',
  username: 'string',
  password: 'string',
  'ns-rotate': 'bool',
  stubzones: 'bool',
  systemd: 'bool',
  discover: 'bool',
  kubernetes: 'bool',
  netlookup: 'bool',
  hostmaster: 'string',
  scache: 'string',
  rcache: 'string',
  'rcache-ttl': 'string',
};

const INT_FLAGS = ['scache', 'rcache', 'rcache-ttl'] as const;

export type SkydnsFlagsResult =
  | { readonly ok: true; readonly config: SkydnsConfig }
  /** `usage`: exit 2 like `flag`; `fatal`: exit 1 like log.Fatalf. */
  | { readonly ok: false; readonly kind: 'usage' | 'fatal'; readonly message: string };

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** net.SplitHostPort + the IP and port checks of skydns's validateHostPort; IPv6 in brackets is accepted too. */
export function parseHostPort(text: string): { ok: true; value: HostPort } | { ok: false; message: string } {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):([^:]*)$/.exec(text);
  if (m === null) return { ok: false, message: text.includes(':') ? `address ${text}: too many colons in address` : `address ${text}: missing port in address` };
  const host = m[1] ?? m[2] ?? '';
  const isIPv6 = m[1] !== undefined && /^[0-9a-fA-F:.]+$/.test(host) && host.includes(':');
  if (!IPV4.test(host) && !isIPv6) return { ok: false, message: `bad IP address: ${host}` };
  const port = /^\d+$/.test(m[3] ?? '') ? Number(m[3]) : 0;
  if (port < 1 || port > 65535) return { ok: false, message: `bad port number ${m[3] ?? ''}` };
  return { ok: true, value: { host, port } };
}

export function parseSkydnsFlags(args: readonly string[], env: Readonly<Record<string, string>> = {}): SkydnsFlagsResult {
  const parsed = parseFlags(args, SKYDNS_FLAGS, FlagStyle.go);
  if (!parsed.ok) return { ok: false, kind: 'usage', message: parsed.message };
  const v = parsed.values;
  const envOr = (name: string, fallback: string): string => (env[name] !== undefined && env[name] !== '' ? env[name] : fallback);
  const rtimeoutText = v.get('rtimeout') ?? '2s';
  const readTimeoutMs = parseGoDurationMs(rtimeoutText);
  // time.ParseDuration takes a sign; a negative read timeout has always been refused here.
  if (readTimeoutMs === undefined || readTimeoutMs < 0) return { ok: false, kind: 'usage', message: `invalid value "${rtimeoutText}" for flag -rtimeout: parse error` };
  for (const name of INT_FLAGS) {
    const text = v.get(name);
    if (text !== undefined && !/^[+-]?\d+$/.test(text)) return { ok: false, kind: 'usage', message: `invalid value "${text}" for flag -${name}: parse error` };
  }
  const nameserverText = v.get('nameservers') ?? envOr('SKYDNS_NAMESERVERS', '');
  const nameservers: HostPort[] = [];
  if (nameserverText !== '') {
    for (const entry of nameserverText.split(',')) {
      const hp = parseHostPort(entry);
      if (!hp.ok) return { ok: false, kind: 'fatal', message: `skydns: nameserver is invalid: ${hp.message}` };
      nameservers.push(hp.value);
    }
  }
  const addrText = v.get('addr') ?? envOr('SKYDNS_ADDR', DEFAULT_SKYDNS_ADDR);
  const addr = parseHostPort(addrText);
  if (!addr.ok) return { ok: false, kind: 'fatal', message: `skydns: addr is invalid: ${addr.message}` };
  const domain = toFqdn((v.get('domain') ?? envOr('SKYDNS_DOMAIN', DEFAULT_SKYDNS_DOMAIN)).toLowerCase());
  return {
    ok: true,
    config: {
      machines: (v.get('machines') ?? envOr('ETCD_MACHINES', DEFAULT_ETCD_MACHINES)).split(',').map((m) => m.trim().replace(/\/+$/, '')).filter((m) => m !== ''),
      domain,
      addr: addr.value,
      nameservers,
      pathPrefix: (v.get('path-prefix') ?? envOr('SKYDNS_PATH_PREFIX', DEFAULT_PATH_PREFIX)).replace(/^\/+|\/+$/g, ''),
      noRec: v.get('no-rec') === 'true',
      roundRobin: v.get('round-robin') !== 'false',
      readTimeoutMs,
      verbose: v.get('verbose') === 'true',
      version: v.get('version') === 'true',
      help: v.get('help') === 'true' || v.get('h') === 'true',
    },
  };
}

/**
 * skydns's loadConfig: a JSON server.Config at `/<path-prefix>/config` in etcd overrides the flags it names (the
 * lab reads `domain`, `nameservers`, `ttl`, `min_ttl` and `no_rec`; the rest of server.Config is not modelled).
 */
export interface EtcdConfigOverrides {
  readonly domain?: string;
  readonly nameservers?: readonly HostPort[];
  readonly ttlSeconds?: number;
  readonly minTtlSeconds?: number;
  readonly noRec?: boolean;
}

export function parseEtcdConfig(value: string): { ok: true; overrides: EtcdConfigOverrides } | { ok: false; message: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch (err) {
    return { ok: false, message: `failed to unmarshal config: ${(err as Error).message}` };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, message: 'failed to unmarshal config: not a JSON object' };
  const o = raw as Record<string, unknown>;
  const overrides: { -readonly [K in keyof EtcdConfigOverrides]: EtcdConfigOverrides[K] } = {};
  if (typeof o['domain'] === 'string' && o['domain'] !== '') overrides.domain = toFqdn(o['domain'].toLowerCase());
  if (Array.isArray(o['nameservers'])) {
    const list: HostPort[] = [];
    for (const entry of o['nameservers']) {
      const hp = typeof entry === 'string' ? parseHostPort(entry) : undefined;
      if (hp?.ok === true) list.push(hp.value);
    }
    overrides.nameservers = list;
  }
  if (typeof o['ttl'] === 'number' && o['ttl'] > 0) overrides.ttlSeconds = o['ttl'];
  if (typeof o['min_ttl'] === 'number' && o['min_ttl'] > 0) overrides.minTtlSeconds = o['min_ttl'];
  if (typeof o['no_rec'] === 'boolean') overrides.noRec = o['no_rec'];
  return { ok: true, overrides };
}
