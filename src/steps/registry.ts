/** Which handler runs which kind of step. */
import type { Step } from '../plan/types.ts';
import type { StepHandler } from '../run/step-context.ts';
import { snapshotHandler } from './etcd/snapshot.ts';
import { addHandler, replaceHandler } from './etcd/replace.ts';
import { removeHandler } from './etcd/remove.ts';
import { stopOldMasterHandler } from './master/stop-old.ts';
import { startNewMasterHandler } from './master/start-new.ts';
import { startHeldBackHandler } from './master/start-held-back.ts';
import { repointNodesHandler } from './nodes/repoint.ts';

export function handlerFor(step: Step): StepHandler {
  switch (step.kind) {
    case 'etcd.snapshot':
      return snapshotHandler as StepHandler;
    case 'etcd.replace':
      return replaceHandler as StepHandler;
    case 'etcd.add':
      return addHandler as StepHandler;
    case 'etcd.remove':
      return removeHandler as StepHandler;
    case 'master.stop-old':
      return stopOldMasterHandler as StepHandler;
    case 'master.start-new':
      return startNewMasterHandler as StepHandler;
    case 'nodes.repoint':
      return repointNodesHandler as StepHandler;
    case 'master.start-held-back':
      return startHeldBackHandler as StepHandler;
  }
}
