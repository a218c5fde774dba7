/**
 * Phase 6 of the runbook (滚动升级DNS服务), as pure builders:
 * - drop `version` from skydns-svc's selector BEFORE the rolling update, or DNS breaks while old and new pods
 *   carry different versions ({@link buildServiceSelectorWithoutVersion});
 * - build each new RC: change `name`, `spec.selector.version`, `spec.template.metadata.labels.version`, the etcd
 *   addresses and the master address; `metadata.labels.version` is optional, ferry changes it when present
 *   ({@link buildNextController});
 * - the later Deployment variant is updated in place: same args rewrite, no rename ({@link buildUpdatedDeployment}).
 * Inputs are never mutated; everything not listed above is carried over as is (structuredClone).
 */
import { inputError } from '../errors.ts';
import { buildDnsEndpoints, buildRewrittenArgs } from './dns-args.ts';
import type { ArgChange } from './dns-args.ts';
import type { Container, Deployment, DnsTargets, PodTemplate, ReplicationController, Service } from '../kube/objects.ts';

/** `{service, changed}`: `changed` is false when the selector had no `version` (already safe). */
export function buildServiceSelectorWithoutVersion(service: Service): { service: Service; changed: boolean } {
  const copy = structuredClone(service);
  const selector = copy.spec?.selector;
  if (selector === undefined || !Object.hasOwn(selector, 'version')) return { service: copy, changed: false };
  delete selector.version;
  return { service: copy, changed: true };
}

/**
 * The version after `version`: the trailing number goes up by one and the prefix is kept
 * ('v9' → 'v10', 'v10' → 'v11', '1' → '2', 'v1.2' → 'v1.3').
 * A missing or empty version counts as the implicit first version, so the next is 'v2'.
 * A version without a trailing number ('beta') is refused: DNS_VERSION_UNPARSEABLE.
 */
export function computeNextVersion(version: string | undefined): string {
  if (version === undefined || version === '') return 'v2';
  const m = /^(.*?)(\d+)$/.exec(version);
  if (m === null) {
    throw inputError('DNS_VERSION_UNPARSEABLE', `version label ${JSON.stringify(version)} does not end in a number`, {
      hint: 'Use versions like v9, v10 (as in dns.yaml), or write the new manifest by hand.',
      subjects: { version },
    });
  }
  const [, prefix = '', digits = '0'] = m;
  return `${prefix}${(BigInt(digits) + 1n).toString()}`;
}

/** `skydns` → `skydns`, `skydns-v10` → `skydns`: the name without a trailing `-vN`. */
export function computeBaseName(name: string): string {
  return name.replace(/-v\d+$/, '');
}

/** Fields the API server sets on an object read back with `kubectl get -o yaml`; a new RC must not carry them. */
const SERVER_SET_METADATA = ['resourceVersion', 'uid', 'selfLink', 'creationTimestamp', 'generation', 'managedFields'] as const;

function rewriteContainers(template: PodTemplate | undefined, targets: DnsTargets, owner: string): ArgChange[] {
  const containers: Container[] | undefined = template?.spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    throw inputError('DNS_NO_CONTAINERS', `${owner} has no containers in spec.template.spec.containers`, {
      hint: 'Pass the skydns or kube2sky manifest from dns.yaml (kubectl get rc <name> -o yaml).',
      subjects: { object: owner },
    });
  }
  const endpoints = buildDnsEndpoints(targets);
  const changes: ArgChange[] = [];
  let flags = 0;
  for (const [i, c] of containers.entries()) {
    const where = `${owner} container ${c.name ?? `#${i}`}`;
    for (const key of ['command', 'args'] as const) {
      const list = c[key];
      if (list === undefined) continue;
      const { args, changes: found, flagsSeen } = buildRewrittenArgs(list, endpoints, where);
      c[key] = args;
      changes.push(...found);
      // Flags already pointing at the targets count too: a re-run is not an error.
      flags += flagsSeen;
    }
  }
  if (flags === 0) {
    throw inputError('DNS_NO_ADDRESS_FLAGS', `${owner} has no --machines, --etcd-server, --etcd_servers or --kube_master_url arg`, {
      hint: 'This does not look like the skydns or kube2sky manifest; nothing would point at the new cluster.',
      subjects: { object: owner },
    });
  }
  return changes;
}

/**
 * The RC that `kubectl rolling-update <old> -f <new>.yaml` needs: name `<base>-<next version>`, and the next
 * version in `spec.selector`, `spec.template.metadata.labels` and (when present) `metadata.labels`; container args
 * pointed at the new etcd members and master. The old selector must have a `version` key: kubectl rolling-update
 * refuses a new RC whose selector has no key with a different value ("must specify a matching key with non-equal
 * value in Selector"). Server-set metadata and `status` are dropped (the result is a new object).
 */
export function buildNextController(rc: ReplicationController, targets: DnsTargets): ReplicationController {
  const oldName = rc.metadata?.name;
  if (rc.kind !== 'ReplicationController' || oldName === undefined || oldName === '') {
    throw inputError('DNS_NOT_RC', `expected a named ReplicationController, got kind ${String(rc.kind)} name ${String(oldName)}`, {
      hint: 'For a Deployment use buildUpdatedDeployment (it is updated in place).',
    });
  }
  const version = rc.spec?.selector?.version;
  if (version === undefined) {
    throw inputError('DNS_SELECTOR_NO_VERSION', `RC ${oldName} has no version in spec.selector`, {
      hint: 'kubectl rolling-update needs the new selector to differ from the old one in a shared key; add the new RC by hand.',
      subjects: { rc: oldName },
    });
  }
  const next = computeNextVersion(version);
  const copy = structuredClone(rc);
  const meta = copy.metadata ?? {};
  for (const key of SERVER_SET_METADATA) delete meta[key];
  delete copy.status;
  meta.name = `${computeBaseName(oldName)}-${next}`;
  if (meta.labels !== undefined && Object.hasOwn(meta.labels, 'version')) meta.labels.version = next;
  copy.metadata = meta;
  const spec = copy.spec ?? {};
  spec.selector = { ...spec.selector, version: next };
  const template = spec.template ?? {};
  const tmeta = template.metadata ?? {};
  tmeta.labels = { ...tmeta.labels, version: next };
  template.metadata = tmeta;
  spec.template = template;
  rewriteContainers(template, targets, `RC ${oldName}`);
  return copy;
}

/**
 * The later Deployment variant (extensions/v1beta1 or apps/v1beta1, `spec.selector.matchLabels`): the same args
 * rewrite, applied in place. Name, labels and selector stay: a Deployment rolls its own pods when the template
 * changes, and changing a selector is refused or orphans the old pods.
 */
export function buildUpdatedDeployment(dep: Deployment, targets: DnsTargets): { deployment: Deployment; changes: ArgChange[] } {
  const name = dep.metadata?.name;
  if (dep.kind !== 'Deployment' || name === undefined || name === '' || dep.spec?.selector?.matchLabels === undefined) {
    throw inputError('DNS_NOT_DEPLOYMENT', `expected a named Deployment with spec.selector.matchLabels, got kind ${String(dep.kind)} name ${String(name)}`, {
      hint: 'For a ReplicationController use buildNextController (it is rolled to a new name).',
    });
  }
  const copy = structuredClone(dep);
  const changes = rewriteContainers(copy.spec?.template, targets, `Deployment ${name}`);
  return { deployment: copy, changes };
}
