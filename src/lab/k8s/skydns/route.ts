/**
 * Where a query goes (pure): names under the domain are answered from etcd; other names are forwarded to the
 * `-nameservers` as skydns's ServeDNSForward does (not with `-no-rec`, not for names of fewer labels than ndots=2,
 * not without nameservers) — with one lab rule on top: the lab never sends traffic off this machine, so only
 * nameservers on a loopback address are used; a query that only other nameservers could answer gets SERVFAIL
 * (docs/design/lab-conventions.md §2).
 */
import type { Question } from 'dns-packet';
import { countLabels, isInDomain } from './answer.ts';
import type { HostPort } from './flags.ts';

/** skydns's Ndots default: names with fewer labels are not forwarded. */
export const FORWARD_MIN_LABELS = 2;

export type Route =
  | { readonly kind: 'local'; readonly question: Question }
  | { readonly kind: 'forward'; readonly question: Question; readonly servers: readonly HostPort[] }
  | { readonly kind: 'servfail'; readonly reason: string }
  | { readonly kind: 'formerr' };

export interface RouteConfig {
  readonly domain: string;
  readonly noRec: boolean;
  readonly nameservers: readonly HostPort[];
}

/** 127.0.0.0/8 or ::1: an address that stays on this machine. */
export function isLoopbackAddress(host: string): boolean {
  if (host === '::1' || /^0*:0*:0*:0*:0*:0*:0*:0*1$/.test(host)) return true;
  const parts = host.split('.');
  return parts.length === 4 && parts[0] === '127' && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** The nameservers the lab may use, and the ones it must not. */
export function splitNameservers(nameservers: readonly HostPort[]): { loopback: HostPort[]; offMachine: HostPort[] } {
  const loopback: HostPort[] = [];
  const offMachine: HostPort[] = [];
  for (const ns of nameservers) (isLoopbackAddress(ns.host) ? loopback : offMachine).push(ns);
  return { loopback, offMachine };
}

export function formatHostPort(hp: HostPort): string {
  return hp.host.includes(':') ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}

export function routeQuery(questions: readonly Question[] | undefined, config: RouteConfig): Route {
  const question = questions?.[0];
  if (question === undefined || questions?.length !== 1) return { kind: 'formerr' };
  if (isInDomain(question.name, config.domain)) return { kind: 'local', question };
  if (config.noRec) return { kind: 'servfail', reason: 'recursion is disabled (-no-rec)' };
  if (config.nameservers.length === 0 || countLabels(question.name) < FORWARD_MIN_LABELS) {
    return { kind: 'servfail', reason: 'can not forward, no nameservers defined or name too short' };
  }
  const { loopback, offMachine } = splitNameservers(config.nameservers);
  if (loopback.length === 0) {
    return { kind: 'servfail', reason: `not forwarding to ${offMachine.map(formatHostPort).join(',')}: the lab sends no traffic off this machine` };
  }
  return { kind: 'forward', question, servers: loopback };
}
