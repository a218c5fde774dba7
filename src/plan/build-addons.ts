/** The planner's steps for the DNS add-on (phase 6) and the DomeOS console (phases 1, 8, 9). Pure. */
import type { ConsoleTarget, Step } from './types.ts';
import { describeDnsUpdate } from './describe-dns.ts';
import { describeConsoleStart, describeConsoleStop, describeConsoleUpdate } from './describe-console.ts';
import type { BuildPlanInput } from './build-input.ts';
import { DEFAULT_CONSOLE_STOP_TIMEOUT_MS, DEFAULT_DNS_TIMEOUTS, DEFAULT_WATCHER_TIMEOUT_MS } from './defaults.ts';

/**
 * Phase 6, after scheduler and controller run again: kube2sky and skydns move to the etcd members and the master
 * the cluster ends with (in a one-sided migration, the side that does not move keeps its endpoints).
 */
export function buildDnsSteps(input: BuildPlanInput, notes: string[]): Step[] {
  const { inventory, observed } = input;
  const scope = input.scope ?? 'all';
  const master = inventory.master;
  const dns = inventory.dns;
  if (master === undefined || dns === undefined) return [];
  const seen = observed.dns;
  if (seen !== undefined && seen.serviceSelector === undefined && seen.controllers.length === 0) {
    notes.push(`no DNS add-on found (service ${dns.namespace}/${dns.service}, controllers ${dns.controllers.join(', ')}): nothing to roll`);
    return [];
  }
  if (seen === undefined) notes.push('the DNS add-on could not be observed (no apiserver answered): its step checks it when it runs');
  else if (seen.missing.length > 0) notes.push(`DNS controller(s) not found: ${seen.missing.join(', ')} — the DNS step will refuse until they exist or the inventory's dns.controllers is corrected`);
  const apiserver = scope === 'etcd' ? master.old.apiserver : master.new.apiserver;
  const etcd = (scope === 'master' ? inventory.etcd.old : inventory.etcd.new).map((m) => m.clientURL);
  const params = { apiserver, namespace: dns.namespace, service: dns.service, controllers: dns.controllers, domain: dns.domain, etcd, master: apiserver, timeouts: DEFAULT_DNS_TIMEOUTS };
  return [{ id: 'dns.update', kind: 'dns.update', phase: 6, ...describeDnsUpdate(params, seen), params }];
}

/** Phases 1, 8 and 9: the DomeOS server is stopped first, started at the end, then told where the cluster is. */
export function buildConsoleSteps(input: BuildPlanInput): Step[] {
  const { inventory } = input;
  const scope = input.scope ?? 'all';
  const d = inventory.domeos;
  if (d === undefined) return [];
  const target: ConsoleTarget = {
    url: d.url,
    cluster: d.cluster,
    host: d.host,
    service: d.service,
    ...(d.stopCommand !== undefined ? { stopCommand: d.stopCommand } : {}),
    ...(d.startCommand !== undefined ? { startCommand: d.startCommand } : {}),
    ...(d.credentialsFile !== undefined ? { credentialsFile: d.credentialsFile } : {}),
  };
  const apiserver = scope !== 'etcd' && inventory.master !== undefined ? inventory.master.new.apiserver : undefined;
  const etcd = scope !== 'master' ? inventory.etcd.new.map((m) => m.clientURL) : undefined;
  const update = { console: target, ...(apiserver !== undefined ? { apiserver } : {}), ...(etcd !== undefined ? { etcd } : {}), watcherTimeoutMs: DEFAULT_WATCHER_TIMEOUT_MS };
  return [
    { id: 'console.stop', kind: 'console.stop', phase: 1, ...describeConsoleStop(target), params: { console: target, stopTimeoutMs: DEFAULT_CONSOLE_STOP_TIMEOUT_MS } },
    { id: 'console.start', kind: 'console.start', phase: 8, ...describeConsoleStart(target), params: { console: target, healthTimeoutMs: d.healthTimeoutMs } },
    { id: 'console.update', kind: 'console.update', phase: 9, ...describeConsoleUpdate(update), params: update },
  ];
}
