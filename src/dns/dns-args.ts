/**
 * Rewrites the etcd and master flags in the skydns / kube2sky container args (runbook phase 6):
 * - skydns `--machines`: ALL new etcd members, `http://`, comma-separated (never the mixed old+new set);
 * - kube2sky 0.4 `--etcd-server`: exactly ONE endpoint with `http://`, which must be one of `--machines`: the first;
 * - kube2sky 0.8 `--etcd_servers` (domeos/kube2sky, StringSlice): all new members, comma-separated;
 * - kube2sky `--kube_master_url`: the new master.
 * Both `--flag=value` and `--flag value` (value as the next arg) are handled, with one or two dashes (Go's flag
 * package accepts both), and the form found is kept. Every other arg is untouched and the order is kept.
 */
import { inputError } from '../errors.ts';
import type { DnsTargets } from '../kube/objects.ts';
import { parseEndpointURL } from '../inventory/urls.ts';

/** The flags ferry rewrites and what each one gets. */
export const DNS_FLAGS = {
  machines: 'all-etcd',
  etcd_servers: 'all-etcd',
  'etcd-server': 'one-etcd',
  kube_master_url: 'master',
} as const;
export type DnsFlag = keyof typeof DNS_FLAGS;

/** Normalized targets: every URL carries a scheme and no trailing slash. */
export interface DnsEndpoints {
  etcd: string[];
  master: string;
}

export interface ArgChange {
  flag: DnsFlag;
  /** Index in the args array of the arg that holds the value. */
  index: number;
  from: string;
  to: string;
}

function normalizeUrl(raw: string, what: string, code: 'DNS_ETCD_INVALID' | 'DNS_MASTER_INVALID'): string {
  const value = raw.trim();
  if (value === '' || value.includes(',') || !parseEndpointURL(value, 'slash', undefined, { schemeOptional: true }).ok) {
    throw inputError(code === 'DNS_MASTER_INVALID' ? 'DNS_MASTER_INVALID' : 'DNS_ETCD_INVALID', `${what} ${JSON.stringify(raw)} is not an address like 10.17.33.21:4012 or http://10.17.33.21:4012`, {
      hint: 'Give one host:port (or http://host:port) per entry.',
      subjects: { address: raw },
    });
  }
  // The runbook: --etcd-server "must carry the http:// prefix"; skydns --machines takes URLs too.
  const scheme = /^(https?):\/\//i.exec(value)?.[1];
  const withScheme = scheme === undefined ? `http://${value}` : `${scheme.toLowerCase()}${value.slice(scheme.length)}`;
  return withScheme.replace(/\/$/, '');
}

/** Validates and normalizes the targets. Refuses an empty or duplicated etcd list and a missing master. */
export function buildDnsEndpoints(targets: DnsTargets): DnsEndpoints {
  if (targets.etcd.length === 0) {
    throw inputError('DNS_ETCD_EMPTY', 'the new etcd member list is empty: --machines would point skydns at nothing', {
      hint: 'Pass ALL new etcd client endpoints (runbook phase 6), e.g. 10.17.33.21:4012,10.17.33.22:4012,10.17.33.23:4012.',
    });
  }
  const etcd = targets.etcd.map((e) => normalizeUrl(e, 'etcd endpoint', 'DNS_ETCD_INVALID'));
  const seen = new Set<string>();
  for (const e of etcd) {
    if (seen.has(e)) {
      throw inputError('DNS_ETCD_DUPLICATE', `etcd endpoint ${e} is listed twice`, {
        hint: 'List each new etcd member once.',
        subjects: { address: e },
      });
    }
    seen.add(e);
  }
  const master = normalizeUrl(targets.master, 'master address', 'DNS_MASTER_INVALID');
  return { etcd, master };
}

function valueFor(flag: DnsFlag, endpoints: DnsEndpoints): string {
  switch (DNS_FLAGS[flag]) {
    case 'all-etcd':
      return endpoints.etcd.join(',');
    case 'one-etcd':
      // Exactly one, and one of --machines: the first new member.
      return endpoints.etcd[0] as string;
    case 'master':
      return endpoints.master;
  }
}

const FLAG_RE = /^(--?)([A-Za-z][A-Za-z0-9_-]*)(?:=(.*))?$/s;

function isDnsFlag(name: string): name is DnsFlag {
  return Object.hasOwn(DNS_FLAGS, name);
}

/**
 * Returns a new args array with the DNS flags rewritten, the changes made, and how many DNS flags it held. `where` names the container in
 * errors. A `--flag` without `=` whose next arg is missing or is itself a flag is refused (DNS_ARG_MISSING_VALUE).
 */
export function buildRewrittenArgs(
  args: readonly string[],
  endpoints: DnsEndpoints,
  where: string,
): { args: string[]; changes: ArgChange[]; flagsSeen: number } {
  const out = [...args];
  const changes: ArgChange[] = [];
  let flagsSeen = 0;
  for (let i = 0; i < out.length; i++) {
    const arg = out[i] as string;
    const m = FLAG_RE.exec(arg);
    if (m === null) continue;
    const [, dashes, name, inline] = m;
    if (name === undefined || !isDnsFlag(name)) continue;
    flagsSeen++;
    const to = valueFor(name, endpoints);
    if (inline !== undefined) {
      const next = `${dashes ?? '--'}${name}=${to}`;
      if (next !== arg) changes.push({ flag: name, index: i, from: inline, to });
      out[i] = next;
      continue;
    }
    const from = out[i + 1];
    if (from === undefined || from.startsWith('-')) {
      throw inputError('DNS_ARG_MISSING_VALUE', `${where}: ${arg} has no value`, {
        hint: `Write ${arg}=<value> or put the value in the next arg.`,
        subjects: { container: where },
      });
    }
    if (from !== to) changes.push({ flag: name, index: i + 1, from, to });
    out[i + 1] = to;
    i++;
  }
  return { args: out, changes, flagsSeen };
}
