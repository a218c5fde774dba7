import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseEtcdMethod, reportedAppliedIndex, statusesAllowLearners } from '../../../src/etcd/method.ts';
import type { EndpointStatus } from '../../../src/etcd/types.ts';
import type { EtcdVersionReading } from '../../../src/etcd/versions.ts';

const at = (member: string, server: string, cluster = `${server.split('.').slice(0, 2).join('.')}.0`): EtcdVersionReading => ({ member, clientURL: `http://${member}:4012`, version: { server, cluster } });
const silent = (member: string): EtcdVersionReading => ({ member, clientURL: `http://${member}:4012`, error: 'connect ECONNREFUSED' });

test('etcd 3.4 and later: new members join as learners, with nothing to consent to', () => {
  const c = chooseEtcdMethod([at('a', '3.4.23'), at('b', '3.5.9'), silent('n1')], false);
  assert.equal(c.ok, true);
  assert.equal(c.ok && c.join, 'learner');
});

test('etcd 3.3 without consent is refused with ETCD_VOTER_ADD_NOT_ALLOWED, naming each member and the way to consent', () => {
  const c = chooseEtcdMethod([at('a', '3.3.25'), at('b', '3.3.25'), silent('n1')], false);
  assert.equal(c.ok, false);
  if (c.ok) return;
  assert.equal(c.code, 'ETCD_VOTER_ADD_NOT_ALLOWED');
  assert.match(c.message, /a 3\.3\.25 \(cluster 3\.3\.0\), b 3\.3\.25/);
  assert.match(c.hint, /--allow-voter-add/);
  assert.match(c.hint, /etcd\.allowVoterAdd: true/);
  assert.equal(c.member, 'a');
});

test('etcd 3.3 with consent: voters, and the plan note states the window', () => {
  const c = chooseEtcdMethod([at('a', '3.3.25')], true);
  assert.equal(c.ok && c.join, 'voter');
  assert.match(c.ok ? c.notes.join('\n') : '', /joins as a VOTER .* no failure tolerated/);
});

test('a mix of 3.3 and 3.4 runs at its lowest version, and the plan names the mix', () => {
  const mixed = [at('a', '3.4.23', '3.3.0'), at('b', '3.3.25')];
  const refused = chooseEtcdMethod(mixed, false);
  assert.equal(refused.ok ? '' : refused.code, 'ETCD_VOTER_ADD_NOT_ALLOWED');
  const c = chooseEtcdMethod(mixed, true);
  assert.equal(c.ok && c.join, 'voter');
  assert.match(c.ok ? c.notes[0] ?? '' : '', /mixed etcd versions \(3\.3\.25, 3\.4\.23\): the cluster runs at 3\.3\.0/);
});

test('3.0–3.2 and 2.x are refused whatever the consent (ETCD_VERSION_UNSUPPORTED)', () => {
  for (const v of ['3.2.32', '3.0.17', '2.3.1']) {
    const c = chooseEtcdMethod([at('a', v)], true);
    assert.equal(c.ok ? '' : c.code, 'ETCD_VERSION_UNSUPPORTED', v);
  }
});

test('no member answered: the learner way (the health checks then say what is wrong)', () => {
  const c = chooseEtcdMethod([silent('a')], false);
  assert.equal(c.ok && c.join, 'learner');
});

const status = (version: string, raftIndex: bigint, raftAppliedIndex: bigint): EndpointStatus => ({
  endpoint: `http://${version}:4012`,
  memberId: '1',
  leaderId: '1',
  raftIndex,
  raftAppliedIndex,
  raftTerm: 2n,
  isLearner: false,
  dbSize: 1n,
  version,
  errors: [],
});

test('the applied index: raftAppliedIndex from 3.4, the raft index before (3.3 reports none: it reads 0)', () => {
  assert.equal(reportedAppliedIndex(status('3.4.23', 100n, 98n)), 98n);
  assert.equal(reportedAppliedIndex(status('3.3.25', 100n, 0n)), 100n);
  assert.deepEqual(statusesAllowLearners([status('3.4.23', 1n, 1n)]), { ok: true, older: [] });
  assert.deepEqual(statusesAllowLearners([status('3.4.23', 1n, 1n), status('3.3.25', 1n, 0n)]), { ok: false, older: ['http://3.3.25:4012 3.3.25'] });
});
