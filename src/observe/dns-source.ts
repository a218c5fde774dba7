/**
 * Reading the DNS add-on for the planner through whichever master answers: the old one on a fresh run, the new one
 * when the plan is made again after the master moved. Undefined when neither answers (the step checks at run time).
 */
import { observeDns } from './dns.ts';
import type { Inventory } from '../inventory/types.ts';
import type { ObservedDns } from './types.ts';
import type { Deps } from '../ports/deps.ts';

export async function readObservedDnsFromAnyMaster(inventory: Inventory, deps: Deps): Promise<ObservedDns | undefined> {
  const master = inventory.master;
  const dns = inventory.dns;
  if (master === undefined || dns === undefined) return undefined;
  for (const url of [master.old.apiserver, master.new.apiserver]) {
    if (!(await deps.kube(url).healthz())) continue;
    return observeDns(deps.workloads(url), dns);
  }
  return undefined;
}
