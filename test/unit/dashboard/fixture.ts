/**
 * A synthetic run for the dashboard's unit tests: a real plan (buildPlan over an inventory on 127.36.9.x with a
 * master and two nodes), its run folder under a temp FERRY_HOME, and a journal written with the real Journal class,
 * event by event as the steps' handlers journal them (names and details as in src/steps/**).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory } from '../../../src/inventory/types.ts';
import { validateInventory } from '../../../src/inventory/validate.ts';
import { buildPlan } from '../../../src/plan/build.ts';
import { planSteps } from '../../../src/plan/plan-steps.ts';
import type { Plan, Step } from '../../../src/plan/types.ts';
import type { ObservedEtcd, ObservedKube } from '../../../src/observe/types.ts';
import type { NewJournalEvent } from '../../../src/run/events.ts';
import { Journal } from '../../../src/run/journal.ts';

const P = '127.36.9';

export function buildTestInventory(): Inventory {
  const r = validateInventory({
    apiVersion: 'ferry/v1',
    name: 'dash',
    access: { mode: 'lab' },
    etcd: {
      old: [0, 1, 2].map((i) => ({ name: `old${i}`, host: `${P}.${31 + i}` })),
      new: [0, 1, 2].map((i) => ({ name: `new${i}`, host: `${P}.${21 + i}` })),
    },
    master: { old: { host: `${P}.30`, apiserver: `http://${P}.30:8080` }, new: { host: `${P}.20`, apiserver: `http://${P}.20:8080` } },
    nodes: [{ name: 'n1', host: `${P}.39` }, { name: 'n2', host: `${P}.40` }],
    rollout: { canary: 1, batchSize: 5, concurrency: 2, maxFailures: 1 },
  });
  assert.ok(r.inventory, JSON.stringify(r.problems));
  return r.inventory;
}

export const OBSERVED_ETCD: ObservedEtcd = {
  members: [0, 1, 2].map((i) => ({ id: String(100 + i), name: `old${i}`, peerURLs: [`http://${P}.${31 + i}:4010`], clientURLs: [`http://${P}.${31 + i}:4012`], isLearner: false })),
  leaderId: '101',
  version: '3.4.23',
};
const kube: ObservedKube = { oldVersion: 'v1.4.7', newVersion: 'v1.4.7', oldApiserverUp: true, nodes: [{ name: 'n1', host: `${P}.39` }, { name: 'n2', host: `${P}.40` }], nodesSource: 'inventory' };

export function buildTestPlan(inventory = buildTestInventory()): Plan {
  return buildPlan({ inventory, inventoryPath: 'i.yaml', inventorySha256: 'x', observed: { etcd: OBSERVED_ETCD, kube } });
}

export interface TestRun {
  readonly runId: string;
  readonly runDir: string;
  readonly plan: Plan;
  readonly inventory: Inventory;
  readonly journal: Journal;
}

/** A run folder like startRun's (plan.json, inventory.json, journal.jsonl) under `home/runs/<runId>`. */
export function createTestRun(home: string, runId: string, o: { startedAt?: Date } = {}): TestRun {
  const inventory = buildTestInventory();
  const plan = buildTestPlan(inventory);
  const runDir = join(home, 'runs', runId);
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, 'plan.json'), JSON.stringify(plan, null, 2));
  writeFileSync(join(runDir, 'inventory.json'), JSON.stringify(inventory, null, 2));
  let t = (o.startedAt ?? new Date('2026-01-31T14:00:00Z')).getTime();
  const journal = Journal.open(join(runDir, 'journal.jsonl'), { now: () => new Date((t += 100)) });
  journal.append({ type: 'run-started', runId, formatVersion: 1, planSha256: 'p', inventoryPath: 'i.yaml', inventorySha256: 'x', ferryVersion: 'test', mode: 'apply' });
  journal.append({ type: 'process-attached', pid: process.pid, command: 'test' });
  journal.append({ type: 'run-state', state: 'running' });
  return { runId, runDir, plan, inventory, journal };
}

type Ev = NewJournalEvent;
const act = (stepId: string, action: string, detail?: Record<string, unknown>, result?: Record<string, unknown>): Ev[] => [
  { type: 'action-started', stepId, action, ...(detail ? { detail } : {}) },
  { type: 'action-finished', stepId, action, ...(result ? { result } : {}) },
];
const leaderGate = (stepId: string, leader: string): Ev => ({ type: 'gate', stepId, ok: true, checks: [{ name: 'one leader agreed by all', ok: true, detail: `${leader} leads` }] });

/** The events a step's apply journals (without its state changes). */
export function buildApplyEvents(step: Step): Ev[] {
  const id = step.id;
  switch (step.kind) {
    case 'etcd.snapshot':
      return act(id, 'snapshot', { dir: 'run' }, { bytes: 1024 });
    case 'etcd.replace': {
      const { old: o, new: n, oldWasLeader } = step.params;
      return [
        ...act(id, 'add-learner', { member: n.name, peerURL: n.peerURL }, { id: '900' }),
        ...act(id, 'write-config', { host: n.host, files: [n.configFile] }),
        ...act(id, 'start-service', { host: n.host, unit: n.service }),
        { type: 'progress', stepId: id, kind: 'catch-up', data: { member: n.name, applied: '50', leaderIndex: '100', percent: 50 } },
        { type: 'progress', stepId: id, kind: 'catch-up', data: { member: n.name, applied: '100', leaderIndex: '100', percent: 100 } },
        ...act(id, 'promote', { member: n.name, id: '900' }),
        ...(oldWasLeader ? act(id, 'move-leader', { from: o.name, to: n.name, toId: '900' }) : [{ type: 'action-skipped', stepId: id, action: 'move-leader', reason: `${o.name} does not lead` } as Ev]),
        ...act(id, 'remove-member', { member: o.name, id: '1' }),
        ...act(id, 'stop-old-service', { host: o.host, unit: o.service }),
        ...act(id, 'archive-old-data', { host: o.host, from: o.dataDir, to: `${o.dataDir}.x` }),
      ];
    }
    case 'master.stop-old':
      return [...act(id, 'census', { apiserver: step.params.old.apiserver }), ...['kube-controller', 'kube-scheduler', 'kube-proxy', 'kube-apiserver'].flatMap((u) => act(id, `stop:${u}`, { host: step.params.old.host, unit: u }))];
    case 'master.start-new':
      return [...act(id, 'write-config', { host: step.params.new.host }), ...['flanneld', 'kube-apiserver', 'kube-proxy'].flatMap((u) => act(id, `start:${u}`, { host: step.params.new.host, unit: u }))];
    case 'nodes.repoint':
      return step.params.nodes.flatMap((n) => act(id, `node:${n.name}`, { host: n.host }, { node: n.name, alreadyUpToDate: false, readyAfterMs: 1500 }));
    case 'master.start-held-back':
      return ['kube-controller', 'kube-scheduler'].flatMap((u) => act(id, `start:${u}`, { host: step.params.new.host, unit: u }));
    default:
      return act(id, 'do-it');
  }
}

/** Appends a whole step (running → actions → verifying → done, with the final leader gate for etcd steps). */
export function appendStepDone(journal: Journal, step: Step, leaderAfter?: string): void {
  journal.append({ type: 'step-state', stepId: step.id, state: 'running' });
  for (const e of buildApplyEvents(step)) journal.append(e);
  journal.append({ type: 'step-state', stepId: step.id, state: 'verifying' });
  if (leaderAfter !== undefined) journal.append(leaderGate(step.id, leaderAfter));
  journal.append({ type: 'step-state', stepId: step.id, state: 'done' });
}

/** Every step done, in plan order, then run-state done. Leadership moves to old1's replacement when old1 (the leader) is replaced. */
export function appendWholeRun(run: TestRun): void {
  let leader = 'old1';
  for (const step of planSteps(run.plan)) {
    if (step.kind === 'etcd.replace' && step.params.oldWasLeader) leader = step.params.new.name;
    appendStepDone(run.journal, step, step.kind === 'etcd.replace' ? leader : undefined);
  }
  run.journal.append({ type: 'run-state', state: 'done' });
}
