/**
 * ferry killed (SIGKILL, by FERRY_FAULT) late in the first replacement — right after the promote, and right after
 * the old member's removal — then `ferry resume` in a new process finishes the migration.
 * This file owns 127.21.11.* and 127.21.12.* (one lab each; client port 4012, peer 4010).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runKillThenResume } from '../helpers/kill-resume.ts';
import { processesOf } from '../helpers/migration.ts';

const fixtureDirs: string[] = [];

after(() => {
  for (const dir of fixtureDirs) assert.deepEqual(processesOf(dir), [], `no process of ${dir} is left`);
});

describe('ferry killed late in a replacement, then resumed', () => {
  test('killed after promote: the new voter is kept, the old member is taken out', { timeout: 300_000 }, (t) =>
    runKillThenResume(t, { prefix: '127.21.11', killAfter: 'promote', fixtureDirs }));
  test('killed after remove-member: the removal is not repeated; the old member is stopped and archived', { timeout: 300_000 }, (t) =>
    runKillThenResume(t, { prefix: '127.21.12', killAfter: 'remove-member', fixtureDirs }));
});
