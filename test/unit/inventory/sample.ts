/** A small valid inventory (as parsed YAML) for the inventory tests to break one field at a time. */
import { validateInventory } from '../../../src/inventory/validate.ts';

export interface Sample {
  apiVersion: string;
  name: string;
  access: Record<string, unknown>;
  hosts?: Record<string, unknown>;
  etcd: {
    clusterToken?: string;
    tls?: Record<string, unknown>;
    defaults?: Record<string, unknown>;
    old: Record<string, unknown>[];
    new: Record<string, unknown>[];
  };
  master?: { old: Record<string, unknown>; new: Record<string, unknown> };
  nodes?: Record<string, unknown>[];
  dns?: Record<string, unknown>;
  domeos?: Record<string, unknown>;
}

export function sample(): Sample {
  return {
    apiVersion: 'ferry/v1',
    name: 'unit-test',
    access: { mode: 'ssh', keyFile: '~/.ssh/id_ed25519' },
    etcd: {
      old: [
        { name: 'domeosEtcd0', host: '10.17.33.31' },
        { name: 'domeosEtcd1', host: '10.17.33.32' },
        { name: 'domeosEtcd2', host: '10.17.33.33' },
      ],
      new: [
        { name: 'domeosEtcd3', host: '10.17.33.21' },
        { name: 'domeosEtcd4', host: '10.17.33.22' },
        { name: 'domeosEtcd5', host: '10.17.33.23' },
      ],
    },
    master: {
      old: { host: '10.17.33.30', apiserver: 'http://10.17.33.30:8080' },
      new: { host: '10.17.33.20', apiserver: 'http://10.17.33.20:8080' },
    },
    nodes: [
      { name: 'l-33-39', host: '10.17.33.39' },
      { name: 'l-33-40', host: '10.17.33.40' },
    ],
  };
}

/** The same sample in lab mode: every 10.17.33.x becomes 127.17.33.x. */
export function labSample(): Sample {
  const s = JSON.parse(JSON.stringify(sample()).replaceAll('10.17.33.', '127.17.33.')) as Sample;
  s.access = { mode: 'lab' };
  return s;
}

/** `severity path` of every problem, e.g. `error etcd.new[1].host`, in the order reported. */
export function found(raw: unknown): string[] {
  return validateInventory(raw, { homeDir: '/home/op' }).problems.map((p) => `${p.severity} ${p.path}`);
}

export function problemsOf(raw: unknown) {
  return validateInventory(raw, { homeDir: '/home/op' }).problems;
}
