/** Which handler runs which kind of step. */
import type { Step, StepKind, StepOf } from '../plan/types.ts';
import type { StepHandler } from '../run/step-context.ts';
import { snapshotHandler } from './etcd/snapshot.ts';
import { addHandler } from './etcd/add.ts';
import { replaceHandler } from './etcd/replace.ts';
import { removeHandler } from './etcd/remove.ts';
import { stopOldMasterHandler } from './master/stop-old.ts';
import { startNewMasterHandler } from './master/start-new.ts';
import { startHeldBackHandler } from './master/start-held-back.ts';
import { restartMasterHandler } from './master/restart.ts';
import { repointNodesHandler } from './nodes/repoint.ts';
import { dnsUpdateHandler } from './dns/update.ts';
import { consoleStopHandler } from './console/stop.ts';
import { consoleStartHandler } from './console/start.ts';
import { consoleUpdateHandler } from './console/update.ts';

/** Each kind's handler; the mapped type makes a kind without a handler a compile error. */
const HANDLERS: { readonly [K in StepKind]: StepHandler<StepOf<K>> } = {
  'etcd.snapshot': snapshotHandler,
  'etcd.replace': replaceHandler,
  'etcd.add': addHandler,
  'etcd.remove': removeHandler,
  'master.stop-old': stopOldMasterHandler,
  'master.start-new': startNewMasterHandler,
  'nodes.repoint': repointNodesHandler,
  'master.start-held-back': startHeldBackHandler,
  'master.restart': restartMasterHandler,
  'dns.update': dnsUpdateHandler,
  'console.stop': consoleStopHandler,
  'console.start': consoleStartHandler,
  'console.update': consoleUpdateHandler,
};

export function handlerFor(step: Step): StepHandler {
  return HANDLERS[step.kind] as StepHandler;
}
