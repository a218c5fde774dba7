/**
 * What skydns answers (pure), after skynetservices/skydns server/server.go ServeDNS: names under its domain are
 * answered from etcd — A/AAAA from every record found at or below the name's key (a record whose host is a name,
 * like kube2sky's SRV records, adds no address), NXDOMAIN with the SOA when the key does not exist, NODATA (no
 * answer, the SOA) when it exists without a fitting record, SERVFAIL when etcd cannot be read — and other names
 * are forwarded, or SERVFAIL when they may not be.
 */
import type { Answer, DecodedPacket, Packet, Question } from 'dns-packet';
import type { SkydnsService } from './msg.ts';

export const Rcode = { noError: 0, formErr: 1, servFail: 2, nxDomain: 3, notImp: 4, refused: 5 } as const;
export type Rcode = (typeof Rcode)[keyof typeof Rcode];

const FLAG_AA = 1 << 10;
const FLAG_TC = 1 << 9;
const FLAG_RD = 1 << 8;
const FLAG_RA = 1 << 7;
const OPCODE_MASK = 0xf << 11;

/** skydns's defaults (server/config.go): record TTL 3600 s, the SOA's minimum (and negative TTL) 30 s. */
export const DEFAULT_TTL_SECONDS = 3600;
export const DEFAULT_MIN_TTL_SECONDS = 30;
/** A DNS message over UDP without EDNS is at most 512 bytes (RFC 1035 §4.2.1). */
export const UDP_MAX_BYTES = 512;

export interface StoredService {
  /** The etcd key the record was found at. */
  readonly key: string;
  readonly service: SkydnsService;
}

/** What etcd said about a name's key. */
export type Lookup =
  | { readonly kind: 'found'; readonly services: readonly StoredService[] }
  | { readonly kind: 'missing' }
  | { readonly kind: 'error'; readonly message: string };

export interface ZoneConfig {
  /** Lower case, with its trailing dot. */
  readonly domain: string;
  readonly ttlSeconds?: number;
  readonly minTtlSeconds?: number;
  /** The SOA's serial; skydns uses the current hour in Unix seconds. */
  readonly serial: number;
}

/** A lower-case, fully qualified name. */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/** dns.IsSubDomain(domain, name): `name` is `domain` or below it. */
export function isInDomain(name: string, domain: string): boolean {
  const n = normalizeName(name);
  const d = normalizeName(domain);
  return d === '.' || n === d || n.endsWith(`.${d}`);
}

/** dns.CountLabel. */
export function countLabels(name: string): number {
  const n = normalizeName(name);
  return n === '.' ? 0 : n.slice(0, -1).split('.').length;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4Address(text: string): boolean {
  return IPV4.test(text);
}

function isIPv6Address(text: string): boolean {
  return text.includes(':') && /^[0-9a-fA-F:.]+$/.test(text);
}

/** One A (or AAAA) per distinct address, named as asked, each with its record's TTL (or the zone's). */
export function buildAddressAnswers(qname: string, qtype: 'A' | 'AAAA', services: readonly StoredService[], defaultTtlSeconds = DEFAULT_TTL_SECONDS): Answer[] {
  const seen = new Set<string>();
  const answers: Answer[] = [];
  for (const { service } of services) {
    const host = service.host;
    const fits = qtype === 'A' ? isIPv4Address(host) : isIPv6Address(host);
    if (!fits || seen.has(host)) continue;
    seen.add(host);
    const ttl = service.ttl !== undefined && service.ttl > 0 ? service.ttl : defaultTtlSeconds;
    answers.push({ type: qtype, name: qname, ttl, class: 'IN', data: host });
  }
  return answers;
}

/** `[a, b, c]` rotated by `offset` (skydns's round-robin of A/AAAA answers). */
export function rotate<T>(items: readonly T[], offset: number): T[] {
  if (items.length === 0) return [];
  const k = ((offset % items.length) + items.length) % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** skydns's NewSOA: `ns.dns.<domain>`, `hostmaster.<domain>`, refresh 8 h, retry 2 h, expire 1 week. */
export function buildSoa(zone: ZoneConfig): Answer {
  const minTtl = zone.minTtlSeconds ?? DEFAULT_MIN_TTL_SECONDS;
  return {
    type: 'SOA',
    name: zone.domain,
    ttl: minTtl,
    class: 'IN',
    data: { mname: `ns.dns.${zone.domain}`, rname: `hostmaster.${zone.domain}`, serial: zone.serial, refresh: 28800, retry: 7200, expire: 604800, minimum: minTtl },
  };
}

export interface ResponseOptions {
  readonly rcode: Rcode;
  readonly answers?: readonly Answer[];
  readonly authorities?: readonly Answer[];
  readonly authoritative?: boolean;
}

/** The EDNS record of an answer to a query that had one (skydns's SetEdns0). */
const EDNS_ANSWER: Answer = { type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };

type QueryPart = Pick<DecodedPacket, 'id' | 'flags' | 'questions' | 'additionals'>;

/** A response to `query`: same id, opcode and question, RD copied, RA set (skydns offers recursion), EDNS echoed. */
export function buildResponse(query: QueryPart, o: ResponseOptions): Packet {
  const queryFlags = query.flags ?? 0;
  let flags = (queryFlags & OPCODE_MASK) | (queryFlags & FLAG_RD) | FLAG_RA | o.rcode;
  if (o.authoritative === true) flags |= FLAG_AA;
  const edns = (query.additionals ?? []).some((rr) => rr.type === 'OPT');
  return {
    type: 'response',
    id: query.id ?? 0,
    flags,
    questions: (query.questions ?? []).slice(0, 1),
    answers: [...(o.answers ?? [])],
    authorities: [...(o.authorities ?? [])],
    additionals: edns ? [EDNS_ANSWER] : [],
  };
}

/** The answer to a question under the zone, from what etcd said about its key. */
export function buildLocalResponse(query: QueryPart, question: Question, lookup: Lookup, zone: ZoneConfig, rotation = 0): Packet {
  if (lookup.kind === 'error') return buildResponse(query, { rcode: Rcode.servFail });
  const soa = [buildSoa(zone)];
  if (lookup.kind === 'missing') return buildResponse(query, { rcode: Rcode.nxDomain, authorities: soa, authoritative: true });
  const qname = question.name;
  let answers: Answer[] = [];
  if (question.type === 'A' || question.type === 'AAAA') {
    answers = rotate(buildAddressAnswers(qname, question.type, lookup.services, zone.ttlSeconds), rotation);
  } else if (question.type === 'SOA' && normalizeName(qname) === zone.domain) {
    answers = soa;
  }
  return buildResponse(query, { rcode: Rcode.noError, answers, authorities: answers.length === 0 ? soa : [], authoritative: true });
}

/** Over UDP, an answer longer than the client takes is sent empty with TC set, so the client asks again over TCP. */
export function buildTruncated(response: Packet): Packet {
  return { ...response, flags: (response.flags ?? 0) | FLAG_TC, answers: [], authorities: [] };
}

/** The UDP payload size the client announced (EDNS OPT), or 512. */
export function readUdpLimit(query: Pick<DecodedPacket, 'additionals'>): number {
  for (const rr of query.additionals ?? []) {
    if (rr.type === 'OPT' && 'udpPayloadSize' in rr && rr.udpPayloadSize > UDP_MAX_BYTES) return rr.udpPayloadSize;
  }
  return UDP_MAX_BYTES;
}
