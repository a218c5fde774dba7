/** The words of the DNS step (runbook phase 6). Pure. */
import { buildDnsEndpoints, type DnsEndpoints } from '../dns/dns-args.ts';
import { computeBaseName, computeNextVersion } from '../dns/next-version.ts';
import { DEPLOYMENT_GROUP_VERSIONS } from '../kube/objects.ts';
import type { DnsStep } from './types.ts';
import type { ObservedDns } from '../observe/types.ts';

interface Words {
  readonly title: string;
  readonly does: string[];
  readonly checks: string[];
  readonly undoes: string[];
}

function formatSelector(s: Readonly<Record<string, string>>): string {
  return Object.entries(s)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The targets as the pods will get them (http:// added); as given when they do not parse (the step refuses them). */
function endpointsOf(p: DnsStep['params']): DnsEndpoints {
  try {
    return buildDnsEndpoints({ etcd: p.etcd, master: p.master });
  } catch {
    return { etcd: [...p.etcd], master: p.master };
  }
}

/** `skydns` (v9) → `skydns-v10`, from what the planner saw; the step computes it again from the live object. */
function nextNameOf(name: string, version: string | undefined): string | undefined {
  try {
    return `${computeBaseName(name)}-${computeNextVersion(version)}`;
  } catch {
    return undefined;
  }
}

function describeSelector(service: string, observed: ObservedDns | undefined): string {
  const selector = observed?.serviceSelector;
  if (selector === undefined) return `if ${service}'s selector has \`version\`, remove it first, or the DNS breaks while old and new pods carry different versions`;
  if (!Object.hasOwn(selector, 'version')) return `${service}'s selector (${formatSelector(selector)}) has no \`version\`: left as it is`;
  const rest = Object.fromEntries(Object.entries(selector).filter(([k]) => k !== 'version'));
  return `remove \`version\` from ${service}'s selector (${formatSelector(selector)} → ${formatSelector(rest)}) first, or the DNS breaks while old and new pods carry different versions`;
}

function describeControllers(p: DnsStep['params'], observed: ObservedDns | undefined): string[] {
  const seen = observed?.controllers ?? [];
  return p.controllers.map((base) => {
    const found = seen.filter((c) => computeBaseName(c.name) === base || c.name === base);
    const c = found[0];
    if (found.length > 1) return `${base}: ${found.map((f) => f.name).join(' and ')} both exist (an earlier rolling update left half done): the step refuses until one is left`;
    if (c === undefined) return observed === undefined ? `roll ${base} to its next version (not observed: checked when the step runs)` : `${base}: not found on ${p.apiserver}: the step refuses until it exists`;
    if (c.kind === 'Deployment') {
      return `Deployment ${c.name}: new args in its pod template, rolled by the Deployment itself at maxUnavailable 0 / maxSurge 1 and minReadySeconds ≥ 5 (a new pod Ready and serving before an old one goes)`;
    }
    const next = nextNameOf(c.name, c.version) ?? `${base}-<next version>`;
    return `${c.name} → ${next} (${c.replicas} replica${c.replicas === 1 ? '' : 's'}), as \`kubectl rolling-update\` did: ${next} created at 0 with name, selector and template version ${c.version ?? '?'} → ${next.slice(next.lastIndexOf('-') + 1)}; then one new pod up and Ready with the new args before one old pod goes; ${c.name} deleted at the end`;
  });
}

export function describeDnsUpdate(params: DnsStep['params'], observed: ObservedDns | undefined): Words {
  const e = endpointsOf(params);
  const all = e.etcd.join(',');
  const svc = `${params.namespace}/${params.service}`;
  const via = observed?.clusterIP ?? `${params.service}'s cluster IP`;
  return {
    title: `Roll the DNS add-on (${params.controllers.join(', ')}) onto ${params.etcd.length} etcd member${params.etcd.length === 1 ? '' : 's'} and the master ${e.master}`,
    does: [
      `back up service ${svc} and the controllers ${params.controllers.join(', ')} as JSON to the run's folder (dns-backup/), once`,
      describeSelector(params.service, observed),
      ...describeControllers(params, observed),
      `in each container, where the flag is present: --machines / --etcd_servers=${all} (all the new members, never the mixed set), --etcd-server=${e.etcd[0] ?? '?'} (exactly one of them), --kube_master_url=${e.master}; every other arg kept`,
      `through the apiserver ${params.apiserver}; each new pod may take ${Math.round(params.timeouts.podReadyTimeoutMs / 1000)} s to be Ready`,
    ],
    checks: [
      `before: ${svc} (with a cluster IP) and each of ${params.controllers.join(', ')} exist on ${params.apiserver}, once each (RC or Deployment of ${DEPLOYMENT_GROUP_VERSIONS.join(' / ')}); the etcd list is not empty`,
      'after: every new pod Ready with the new args, none of the old left',
      `after: ${params.service}'s endpoints are exactly the new skydns pods`,
      `after: \`dig @${via} kubernetes.default.svc.${params.domain}\` answers the kubernetes service's cluster IP (within ${Math.round(params.timeouts.gateTimeoutMs / 1000)} s)`,
    ],
    undoes: [
      'from the backup: each old controller back under its old name at its old size (re-created if already deleted), and Ready, before the new one goes',
      'the new controllers scaled to 0 and deleted (a Deployment gets its old template and strategy back)',
      `${params.service}'s selector restored exactly; then the DNS must answer again`,
    ],
  };
}
