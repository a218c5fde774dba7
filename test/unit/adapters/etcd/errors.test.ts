import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { classifyEtcdMessage, translateEtcdError } from '../../../../src/adapters/etcd/errors.ts';
import { FerryError } from '../../../../src/errors.ts';

/** Like etcd3's GRPC*Error classes: plain Error subclasses whose message carries etcd's text. */
class GRPCFailedPreconditionError extends Error {}
class GRPCUnavailableError extends Error {}

const cases: ReadonlyArray<readonly [string, string, boolean]> = [
  ['9 FAILED_PRECONDITION: etcdserver: unhealthy cluster', 'ETCD_UNHEALTHY_CLUSTER', true],
  ['9 FAILED_PRECONDITION: etcdserver: re-configuration failed due to not enough started members', 'ETCD_UNHEALTHY_CLUSTER', true],
  ['9 FAILED_PRECONDITION: etcdserver: can only promote a learner member which is in sync with leader', 'ETCD_LEARNER_NOT_READY', true],
  ['9 FAILED_PRECONDITION: etcdserver: can only promote a learner member', 'ETCD_MEMBER_NOT_LEARNER', false],
  ['9 FAILED_PRECONDITION: etcdserver: too many learner members in cluster', 'ETCD_TOO_MANY_LEARNERS', false],
  ['5 NOT_FOUND: etcdserver: member not found', 'ETCD_MEMBER_NOT_FOUND', false],
  ['member ID not found', 'ETCD_MEMBER_NOT_FOUND', false],
  ['9 FAILED_PRECONDITION: etcdserver: Peer URLs already exists', 'ETCD_PEER_URL_EXISTS', false],
  ['9 FAILED_PRECONDITION: etcdserver: member ID already exist', 'ETCD_PEER_URL_EXISTS', false],
  ['9 FAILED_PRECONDITION: etcdserver: not leader', 'ETCD_NOT_LEADER', true],
  ['13 INTERNAL: etcdserver: rpc not supported for learner', 'ETCD_LEARNER_RPC', false],
  ['9 FAILED_PRECONDITION: etcdserver: bad leader transferee', 'ETCD_BAD_TRANSFEREE', false],
  ['14 UNAVAILABLE: etcdserver: leader changed', 'ETCD_UNAVAILABLE', true],
  ['14 UNAVAILABLE: etcdserver: no leader', 'ETCD_UNAVAILABLE', true],
  ['14 UNAVAILABLE: etcdserver: request timed out', 'ETCD_UNAVAILABLE', true],
  ['14 UNAVAILABLE: etcdserver: request timed out, possibly due to previous leader failure', 'ETCD_UNAVAILABLE', true],
  ['4 DEADLINE_EXCEEDED: Deadline exceeded after 0.501s,LB pick: 0.000s', 'ETCD_UNAVAILABLE', true],
  ['14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.19.0.3:4999', 'ETCD_UNAVAILABLE', true],
  ['14 UNAVAILABLE: Connection dropped', 'ETCD_UNAVAILABLE', true],
  ['1 CANCELLED: Call cancelled', 'ETCD_UNAVAILABLE', true],
  ['7 PERMISSION_DENIED: etcdserver: permission denied', 'ETCD_AUTH', false],
  ['3 INVALID_ARGUMENT: etcdserver: authentication failed, invalid user ID or password', 'ETCD_AUTH', false],
  ['16 UNAUTHENTICATED: etcdserver: invalid auth token', 'ETCD_AUTH', false],
  ['14 UNAVAILABLE: No connection established. Last error: unable to verify the first certificate', 'ETCD_TLS', false],
  ['8 RESOURCE_EXHAUSTED: etcdserver: mvcc: database space exceeded', 'ETCD_NOSPACE', false],
  ['3 INVALID_ARGUMENT: etcdserver: key is not provided', 'ETCD_ERROR', false],
];

describe('translateEtcdError', () => {
  for (const [message, code, retryable] of cases) {
    test(`${message} -> ${code}`, () => {
      const err = translateEtcdError(new GRPCFailedPreconditionError(message), { op: 'member promote', endpoint: 'http://127.0.0.1:4012', member: '42' });
      assert.ok(err instanceof FerryError);
      assert.equal(err.code, code);
      assert.equal(err.retryable, retryable);
      assert.equal(classifyEtcdMessage(message).code, code);
    });
  }

  test('message names the op, endpoint and member and keeps etcd\'s text; hint and subjects set', () => {
    const cause = new GRPCUnavailableError('14 UNAVAILABLE: etcdserver: no leader');
    const err = translateEtcdError(cause, { op: 'member remove', endpoint: 'http://127.0.10.31:4012', member: '17995410095743796593' });
    assert.match(err.message, /^etcd member remove via http:\/\/127\.0\.10\.31:4012 for member 17995410095743796593 failed: /);
    assert.match(err.message, /\[14 UNAVAILABLE: etcdserver: no leader\]$/);
    assert.ok(err.hint !== undefined && err.hint.length > 0);
    assert.deepEqual(err.subjects, { endpoint: 'http://127.0.10.31:4012', member: '17995410095743796593' });
    assert.equal(err.cause, cause);
  });

  test('without an endpoint it says the cluster endpoints', () => {
    const err = translateEtcdError(new Error('etcdserver: unhealthy cluster'), { op: 'member add' });
    assert.match(err.message, /^etcd member add via the cluster endpoints failed/);
    assert.deepEqual(err.subjects, {});
  });

  test('FerryErrors pass through; non-Errors are handled', () => {
    const ferry = new FerryError('ETCD_SNAPSHOT_CORRUPT', 'x');
    assert.equal(translateEtcdError(ferry, { op: 'snapshot' }), ferry);
    assert.equal(translateEtcdError('boom', { op: 'status' }).code, 'ETCD_ERROR');
    assert.equal(translateEtcdError(undefined, { op: 'status' }).code, 'ETCD_ERROR');
  });
});
