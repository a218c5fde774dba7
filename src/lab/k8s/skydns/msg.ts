/**
 * SkyDNS's records in etcd (pure), as skydns's `msg` package defines them and kube2sky writes them: a DNS name is
 * stored under the key made of its labels reversed below the path prefix (`kubernetes.default.svc.domeos.local.`
 * → `/skydns/local/domeos/svc/default/kubernetes`), and each value is a JSON `msg.Service` whose `host` is an IP
 * address (an A/AAAA record) or a name (an SRV target or a CNAME). skynetservices/skydns msg/service.go.
 */
import { posix } from 'node:path';

/** skydns's `-path-prefix` default (msg.PathPrefix). */
export const DEFAULT_PATH_PREFIX = 'skydns';

/** A `msg.Service` as stored in etcd; fields Go leaves out when empty (`omitempty`) may be absent. */
export interface SkydnsService {
  readonly host: string;
  readonly port?: number;
  readonly priority?: number;
  readonly weight?: number;
  readonly text?: string;
  readonly ttl?: number;
  readonly targetstrip?: number;
  readonly group?: string;
}

/** dns.SplitDomainName: the labels of a name, without the root (`a.b.` and `a.b` → [a, b]; `.` → []). */
export function splitDomainName(name: string): string[] {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  return trimmed === '' ? [] : trimmed.split('.');
}

/** dns.Fqdn: the name with its trailing dot. */
export function toFqdn(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

/** msg.Path: the etcd key of a DNS name under `pathPrefix` (path.Join cleans doubled and trailing slashes). */
export function buildSkydnsPath(name: string, pathPrefix: string = DEFAULT_PATH_PREFIX): string {
  const joined = posix.join(`/${pathPrefix}/`, ...splitDomainName(name).reverse());
  return joined.length > 1 ? joined.replace(/\/+$/, '') : joined;
}

/**
 * A service as Go's json.Marshal writes a `msg.Service` (fields in struct order, zero values left out), so the
 * bytes — and kube2sky's hash of them — are those the real programs produce.
 */
export function renderSkydnsService(s: SkydnsService): string {
  const out: Record<string, string | number> = {};
  if (s.host !== '') out['host'] = s.host;
  if (s.port !== undefined && s.port !== 0) out['port'] = s.port;
  if (s.priority !== undefined && s.priority !== 0) out['priority'] = s.priority;
  if (s.weight !== undefined && s.weight !== 0) out['weight'] = s.weight;
  if (s.text !== undefined && s.text !== '') out['text'] = s.text;
  if (s.ttl !== undefined && s.ttl !== 0) out['ttl'] = s.ttl;
  if (s.targetstrip !== undefined && s.targetstrip !== 0) out['targetstrip'] = s.targetstrip;
  if (s.group !== undefined && s.group !== '') out['group'] = s.group;
  return JSON.stringify(out);
}

export type ParsedService = { readonly ok: true; readonly service: SkydnsService } | { readonly ok: false; readonly message: string };

const optionalNumber = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const optionalString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A stored value read as json.Unmarshal would: a JSON object; unknown fields are ignored, a wrong type is an error. */
export function parseSkydnsService(value: string): ParsedService {
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch (err) {
    return { ok: false, message: `invalid character in ${JSON.stringify(value.slice(0, 60))}: ${(err as Error).message}` };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, message: `json: cannot unmarshal ${Array.isArray(raw) ? 'array' : typeof raw} into Go value of type msg.Service` };
  const o = raw as Record<string, unknown>;
  for (const [field, kind] of [['host', 'string'], ['text', 'string'], ['group', 'string'], ['port', 'number'], ['priority', 'number'], ['weight', 'number'], ['ttl', 'number'], ['targetstrip', 'number']] as const) {
    if (o[field] !== undefined && o[field] !== null && typeof o[field] !== kind) return { ok: false, message: `json: cannot unmarshal ${typeof o[field]} into Go struct field Service.${field} of type ${kind === 'number' ? 'int' : 'string'}` };
  }
  const fields: { -readonly [K in keyof SkydnsService]: SkydnsService[K] } = { host: optionalString(o['host']) ?? '' };
  const port = optionalNumber(o['port']);
  if (port !== undefined) fields.port = port;
  const priority = optionalNumber(o['priority']);
  if (priority !== undefined) fields.priority = priority;
  const weight = optionalNumber(o['weight']);
  if (weight !== undefined) fields.weight = weight;
  const ttl = optionalNumber(o['ttl']);
  if (ttl !== undefined) fields.ttl = ttl;
  const text = optionalString(o['text']);
  if (text !== undefined) fields.text = text;
  const targetstrip = optionalNumber(o['targetstrip']);
  if (targetstrip !== undefined) fields.targetstrip = targetstrip;
  const group = optionalString(o['group']);
  if (group !== undefined) fields.group = group;
  return { ok: true, service: fields };
}
