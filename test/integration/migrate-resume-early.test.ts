/**
 * ferry killed (SIGKILL, by FERRY_FAULT) early in the first replacement — right after the learner is added, and
 * right after its service is started — then `ferry resume` in a new process finishes the migration. Also: a resume
 * while another process holds the run's lock is refused (exit 2, RUN_LOCKED) and writes nothing.
 * This file owns 127.21.9.* and 127.21.10.* (one lab each; client port 4012, peer 4010).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runKillThenResume } from '../helpers/kill-resume.ts';
import { processesOf } from '../helpers/migration.ts';

const fixtureDirs: string[] = [];

after(() => {
  for (const dir of fixtureDirs) assert.deepEqual(processesOf(dir), [], `no process of ${dir} is left`);
});

describe('ferry killed early in a replacement, then resumed', () => {
  test('killed after add-learner: the unstarted learner is adopted; a resume under a held lock is refused first', { timeout: 300_000 }, (t) =>
    runKillThenResume(t, { prefix: '127.21.9', killAfter: 'add-learner', checkLock: true, fixtureDirs }));
  test('killed after start-service: the running learner catches up and is promoted', { timeout: 300_000 }, (t) =>
    runKillThenResume(t, { prefix: '127.21.10', killAfter: 'start-service', fixtureDirs }));
});
