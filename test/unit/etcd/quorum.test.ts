import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { computeQuorum, computeTolerance, evaluateChange, type ModelMember } from '../../../src/etcd/quorum.ts';

const voter = (id: string, healthy = true): ModelMember => ({ id, name: id, isLearner: false, healthy });
const learner = (id: string, healthy = true): ModelMember => ({ id, name: id, isLearner: true, healthy });

describe('quorum model', () => {
  test('quorum sizes', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(computeQuorum), [1, 2, 2, 3, 3, 4, 4]);
  });

  test('learners do not count', () => {
    const t = computeTolerance([voter('a'), voter('b'), voter('c'), learner('d', false)]);
    assert.deepEqual(t, { voters: 3, healthyVoters: 3, quorum: 2, tolerance: 1 });
  });

  test('a learner add keeps the tolerance of a healthy 3-member cluster', () => {
    const v = evaluateChange([voter('a'), voter('b'), voter('c')], { kind: 'add-learner', peerURL: 'http://x:4010' });
    assert.equal(v.allowed, true);
    assert.equal(v.after.tolerance, 1);
  });

  test('a plain voter add (the literal runbook) is refused: the worst case leaves no tolerance', () => {
    const v = evaluateChange([voter('a'), voter('b'), voter('c')], { kind: 'add-voter', peerURL: 'http://x:4010' });
    assert.equal(v.allowed, false);
    assert.match(v.reason, /no failure tolerance/);
  });

  test('with the operator\'s consent (etcd before 3.4) a voter add may use the last spare, never more', () => {
    const v = evaluateChange([voter('a'), voter('b'), voter('c')], { kind: 'add-voter', peerURL: 'http://x:4010', consented: true });
    assert.equal(v.allowed, true);
    assert.equal(v.after.tolerance, 0);
    assert.match(v.reason, /allowed by the operator/);
    // A degraded cluster is still not changed, consent or not.
    assert.equal(evaluateChange([voter('a'), voter('b'), voter('c', false)], { kind: 'add-voter', peerURL: 'http://x:4010', consented: true }).allowed, false);
    // Nor is a cluster whose worst case after the add would lose quorum: 2 voters, both needed.
    const two = evaluateChange([voter('a'), voter('b')], { kind: 'add-voter', peerURL: 'http://x:4010', consented: true });
    assert.equal(two.after.tolerance, 0);
    assert.equal(two.allowed, true, 'a 2-member cluster has no spare to lose: 3 voters, 2 healthy, quorum 2');
  });

  test('promoting a verified learner is allowed; an unverified one is refused', () => {
    const members = [voter('a'), voter('b'), voter('c'), learner('d')];
    assert.equal(evaluateChange(members, { kind: 'promote', id: 'd', verified: true }).allowed, true);
    assert.equal(evaluateChange(members, { kind: 'promote', id: 'd', verified: false }).allowed, false);
  });

  test('removing an old member from 4 healthy voters is allowed', () => {
    const v = evaluateChange([voter('a'), voter('b'), voter('c'), voter('d')], { kind: 'remove', id: 'a' });
    assert.equal(v.allowed, true);
    assert.equal(v.after.tolerance, 1);
  });

  test('removing a voter while another is down is refused (3 voters, 1 down)', () => {
    const v = evaluateChange([voter('a'), voter('b'), voter('c', false)], { kind: 'remove', id: 'a' });
    assert.equal(v.allowed, false);
  });

  test('removing a healthy voter from 3 healthy (remove-first) is refused', () => {
    const v = evaluateChange([voter('a'), voter('b'), voter('c')], { kind: 'remove', id: 'a' });
    assert.equal(v.allowed, false);
  });

  test('growing a single-member cluster is allowed (no spare to lose)', () => {
    const members = [voter('a'), learner('b')];
    assert.equal(evaluateChange(members, { kind: 'promote', id: 'b', verified: true }).allowed, true);
    assert.equal(evaluateChange([voter('a')], { kind: 'add-learner', peerURL: 'u' }).allowed, true);
  });

  test('nothing is allowed when quorum is lost or health could not be read', () => {
    assert.equal(evaluateChange([], { kind: 'promote', id: 'b', verified: true }).allowed, false);
    const lost = [voter('a'), voter('b', false), voter('c', false), learner('d')];
    assert.equal(evaluateChange(lost, { kind: 'promote', id: 'd', verified: true }).allowed, false);
    assert.equal(evaluateChange(lost, { kind: 'add-learner', peerURL: 'u' }).allowed, false);
    assert.match(evaluateChange(lost, { kind: 'remove', id: 'b' }).reason, /quorum is lost/);
  });

  test('the last voter is never removed', () => {
    const v = evaluateChange([voter('a'), learner('b')], { kind: 'remove', id: 'a' });
    assert.equal(v.allowed, false);
    assert.match(v.reason, /last voting member/);
  });

  test('shrinking towards a 1-member target may pass through 2 voters', () => {
    const members = [voter('a'), voter('b'), voter('c')];
    assert.equal(evaluateChange(members, { kind: 'remove', id: 'a' }, 1).allowed, true);
    assert.equal(evaluateChange(members, { kind: 'remove', id: 'a' }, 3).allowed, false);
  });

  test('move-leader must target a healthy voter', () => {
    const members = [voter('a'), voter('b'), learner('c'), voter('d', false)];
    assert.equal(evaluateChange(members, { kind: 'move-leader', toId: 'b' }).allowed, true);
    assert.equal(evaluateChange(members, { kind: 'move-leader', toId: 'c' }).allowed, false);
    assert.equal(evaluateChange(members, { kind: 'move-leader', toId: 'd' }).allowed, false);
  });

  test('a degraded cluster (a voter down) is not changed further, though the arithmetic would allow it', () => {
    // 3 voters with c down tolerate nothing already; promoting d (verified) keeps tolerance 0 — still refused.
    const members = [voter('a'), voter('b'), voter('c', false), learner('d')];
    const promote = evaluateChange(members, { kind: 'promote', id: 'd', verified: true });
    assert.equal(promote.allowed, false);
    assert.deepEqual(promote.downVoters, ['c']);
    assert.match(promote.reason, /c is a voter that is down/);
    assert.equal(evaluateChange(members, { kind: 'add-learner', peerURL: 'u' }).allowed, false);
  });

  test('undoing stays allowed on a degraded cluster: removing a learner, or the down voter itself; moving leadership', () => {
    const members = [voter('a'), voter('b'), voter('c', false), learner('d')];
    assert.equal(evaluateChange(members, { kind: 'remove', id: 'd' }).allowed, true);
    assert.equal(evaluateChange(members, { kind: 'move-leader', toId: 'b' }).allowed, true);
    const four = [voter('a'), voter('b'), voter('c'), voter('d', false)];
    assert.equal(evaluateChange(four, { kind: 'remove', id: 'd' }).allowed, true, 'removing the one down voter of four');
    assert.equal(evaluateChange(four, { kind: 'remove', id: 'a' }).allowed, false, 'but not a healthy one');
  });

  test('exhaustive: no allowed change ever loses quorum from a cluster that had it', () => {
    for (let n = 1; n <= 7; n++) {
      for (let down = 0; down <= n; down++) {
        const members = Array.from({ length: n }, (_, i) => voter(`m${i}`, i >= down));
        const changes = [
          { kind: 'add-voter', peerURL: 'u' } as const,
          { kind: 'add-learner', peerURL: 'u' } as const,
          ...members.map((m) => ({ kind: 'remove', id: m.id }) as const),
        ];
        for (const c of changes) {
          const v = evaluateChange(members, c);
          if (v.allowed && v.before.tolerance >= 0) assert.ok(v.after.tolerance >= 0, `${n}/${down} ${JSON.stringify(c)}`);
        }
      }
    }
  });
});
