/**
 * Which nodes a lab runs (pure): the inventory's nodes first, then — when `ferry lab up --nodes N` asks for more
 * than the inventory names — generated nodes `lab-node-<i>` at consecutive addresses after a base (127.17.40.0 by
 * default: lab-node-1 is 127.17.40.1, lab-node-256 is 127.17.41.0, up to 127.17.43.255 for 1023 of them).
 */
import type { NodeHost } from '../../inventory/types.ts';
import { formatIPv4, parseIPv4 } from './ipv4.ts';

export const DEFAULT_GENERATED_NODE_BASE = '127.17.40.0';
/** The lab's bound on --nodes. */
export const MAX_LAB_NODES = 2_000;

export interface LabNode {
  readonly name: string;
  readonly host: string;
  /** Not in the inventory: made up for `--nodes N`. */
  readonly generated: boolean;
}

export type LabNodePlan = { readonly ok: true; readonly nodes: readonly LabNode[] } | { readonly ok: false; readonly message: string };

export interface LabNodeOptions {
  /** How many nodes in all; default the inventory's count. */
  readonly total?: number;
  /** The address before lab-node-1's; default 127.17.40.0. */
  readonly generatedBase?: string;
  /** Addresses already used by the lab (etcd members, masters): a generated node must not take one. */
  readonly taken?: ReadonlySet<string>;
}

export function buildLabNodes(inventoryNodes: readonly NodeHost[], o: LabNodeOptions = {}): LabNodePlan {
  const fromInventory: LabNode[] = inventoryNodes.map((n) => ({ name: n.name, host: n.host, generated: false }));
  const total = o.total ?? fromInventory.length;
  if (!Number.isInteger(total) || total < 0 || total > MAX_LAB_NODES) {
    return { ok: false, message: `the number of nodes must be a whole number from 0 to ${MAX_LAB_NODES}, not ${total}` };
  }
  if (total < fromInventory.length) {
    return { ok: false, message: `the inventory names ${fromInventory.length} nodes; --nodes ${total} would leave some of them out (give at least ${fromInventory.length})` };
  }
  const base = parseIPv4(o.generatedBase ?? DEFAULT_GENERATED_NODE_BASE);
  if (base === undefined) return { ok: false, message: `the generated nodes' base address "${o.generatedBase ?? ''}" is not an IPv4 address` };
  const used = new Set([...(o.taken ?? []), ...fromInventory.map((n) => n.host)]);
  const names = new Set(fromInventory.map((n) => n.name));
  const generated: LabNode[] = [];
  for (let i = 1; generated.length < total - fromInventory.length; i++) {
    const ip = base + i;
    if (ip >>> 24 !== 127) return { ok: false, message: `${total - fromInventory.length} generated nodes do not fit in 127/8 after ${formatIPv4(base)}` };
    const host = formatIPv4(ip);
    const name = `lab-node-${i}`;
    if (used.has(host)) return { ok: false, message: `generated node ${name} would take ${host}, which the inventory already uses` };
    if (names.has(name)) return { ok: false, message: `generated node name ${name} is already an inventory node's name` };
    generated.push({ name, host, generated: true });
  }
  return { ok: true, nodes: [...fromInventory, ...generated] };
}
