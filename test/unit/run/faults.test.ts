import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const FAULTS = resolve(import.meta.dirname, '../../../src/run/faults.ts');

/** Runs the fault hooks in a child with FERRY_FAULT=spec; returns the signal it died of (null when it lived). */
function runHooks(spec: string): NodeJS.Signals | null {
  const script = `const f = await import(${JSON.stringify(FAULTS)});
const hook = f.buildFaultHook(process.env.FERRY_FAULT);
hook.atStep('step-started', 'etcd.replace.a');
hook.atAction('after', 'etcd.replace.a', 'add-learner');
hook.atStep('step-verified', 'etcd.replace.a');`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, FERRY_FAULT: spec }, timeout: 60_000 });
  return r.signal;
}

test('kill-at:step-started / step-verified and kill-after SIGKILL the process at their point only', () => {
  assert.equal(runHooks('kill-at:step-started@etcd.replace.a'), 'SIGKILL');
  assert.equal(runHooks('kill-at:step-verified@etcd.replace.a'), 'SIGKILL');
  assert.equal(runHooks('kill-after:add-learner@etcd.replace.a'), 'SIGKILL');
  assert.equal(runHooks('kill-at:step-started@etcd.replace.b,kill-at:step-done@etcd.replace.a,kill-before:add-learner@etcd.replace.a'), null);
});
