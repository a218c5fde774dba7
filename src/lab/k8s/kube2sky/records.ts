/**
 * The skydns records kube2sky writes for a service (pure), as kube2sky.go does (domeos/kube2sky and Kubernetes
 * 1.1 alike): a service `web` in namespace `ns` with a cluster IP is the name `web.ns.svc.<domain>.`; its record
 * is stored one level below, under a label that is the FNV-1a hash of the record's JSON
 * (`/skydns/local/domeos/svc/ns/web/<hash>` = `{"host":"<clusterIP>","priority":10,"weight":10,"ttl":30}`), and
 * each named port adds an SRV record `/…/web/_<port name>/_<protocol>/<hash>` whose host is the service's name.
 * Headless services (clusterIP None) get their records from endpoints in kube2sky; the lab does not model them.
 * With `--etcd_prefix=P` every key is below `/P/skydns` instead of `/skydns`.
 */
import { buildSkydnsPath, DEFAULT_PATH_PREFIX, renderSkydnsService } from '../skydns/msg.ts';

/** A subdomain added to the user's domain for all services (kube2sky serviceSubdomain). */
export const SERVICE_SUBDOMAIN = 'svc';
const PRIORITY = 10;
const WEIGHT = 10;
const TTL_SECONDS = 30;

export interface ServiceLike {
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: {
    readonly clusterIP?: string;
    readonly ports?: ReadonlyArray<{ readonly name?: string; readonly port?: number; readonly protocol?: string }>;
  };
}

export interface SkyRecord {
  /** The etcd key. */
  readonly key: string;
  readonly value: string;
}

export type ServiceRecords =
  | { readonly kind: 'records'; readonly subdomainKey: string; readonly records: readonly SkyRecord[] }
  | { readonly kind: 'skip'; readonly subdomainKey: string; readonly reason: string };

/** kube2sky adds the root's dot to `--domain`. */
export function normalizeKube2skyDomain(domain: string): string {
  return domain.endsWith('.') ? domain : `${domain}.`;
}

/** skymsg.PathPrefix after `--etcd_prefix`: `strings.Trim(prefix, "/") + "/" + "skydns"`. */
export function buildKube2skyPathPrefix(etcdPrefix: string): string {
  return etcdPrefix === '' ? DEFAULT_PATH_PREFIX : `${etcdPrefix.replace(/^\/+|\/+$/g, '')}/${DEFAULT_PATH_PREFIX}`;
}

/** buildDNSNameString: each label goes in front of the previous ones (`(domain, svc, ns, name)` → `name.ns.svc.domain`). */
export function buildDnsNameString(...labels: readonly string[]): string {
  let res = '';
  for (const label of labels) res = res === '' ? label : `${label}.${res}`;
  return res;
}

/** getHash: FNV-1a 32-bit of the text's UTF-8 bytes, in lower-case hex without padding. */
export function computeRecordHash(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16);
}

/** kapi.IsServiceIPSet. */
export function hasClusterIP(service: ServiceLike): boolean {
  const ip = service.spec?.clusterIP ?? '';
  return ip !== '' && ip !== 'None';
}

/** The service's name `name.ns.svc.domain.` (domain already normalised). */
export function buildServiceSubdomain(service: ServiceLike, domain: string): string {
  return buildDnsNameString(domain, SERVICE_SUBDOMAIN, service.metadata?.namespace ?? 'default', service.metadata?.name ?? '');
}

/** `_dns._udp` for a named port; '' for an unnamed one (no SRV record). */
export function buildPortSegment(name: string | undefined, protocol: string | undefined): string {
  if (name === undefined || name === '' || protocol === undefined || protocol === '') return '';
  return `_${name}._${protocol.toLowerCase()}`;
}

export function buildServiceRecords(service: ServiceLike, domain: string, pathPrefix: string): ServiceRecords {
  const subdomain = buildServiceSubdomain(service, domain);
  const subdomainKey = buildSkydnsPath(subdomain, pathPrefix);
  const ports = service.spec?.ports ?? [];
  if (ports.length === 0) return { kind: 'skip', subdomainKey, reason: 'Unexpected service with no ports' };
  if (!hasClusterIP(service)) return { kind: 'skip', subdomainKey, reason: 'headless service (records come from its endpoints; not modelled in the lab)' };
  const value = renderSkydnsService({ host: service.spec?.clusterIP ?? '', priority: PRIORITY, weight: WEIGHT, ttl: TTL_SECONDS });
  const label = computeRecordHash(value);
  const records: SkyRecord[] = [{ key: buildSkydnsPath(buildDnsNameString(subdomain, label), pathPrefix), value }];
  for (const port of ports) {
    const segment = buildPortSegment(port.name, port.protocol ?? 'TCP');
    if (segment === '') continue;
    const srv = renderSkydnsService({ host: subdomain, port: port.port ?? 0, priority: PRIORITY, weight: WEIGHT, ttl: TTL_SECONDS });
    records.push({ key: buildSkydnsPath(buildDnsNameString(subdomain, segment, label), pathPrefix), value: srv });
  }
  return { kind: 'records', subdomainKey, records };
}
