/**
 * Issue 6 §3, full rollback: on a lab like whole-runbook-resume's (3+3 etcd, 2 nodes, DNS and the DomeOS console),
 * a forward run stopped by SIGKILL in phase 2, 5 and 6, or finished (phase 9), then `ferry rollback --yes`, then an
 * independent check of the OLD topology (bench/rollback-phases.ts: runRollbackCase — etcdctl, every seeded and
 * acknowledged key, the apiserver, the node files, `dig`, the console's state file). The done run's walk-back is
 * itself SIGKILLed mid-way (between its master's restart and the nodes) and finished by
 * `ferry resume --run WALKBACK`; `ferry rollback` meanwhile says to do exactly that. All nine phases:
 * `npm run torture:rollback`.
 *
 * Addresses: lab i on 127.44.i.x, services 127.(168+i).0.0/16 (cluster DNS 127.(168+i).40.1), flannel
 * 127.(176+i).0.0/16 — /16s inside the 127.168.0.0/13 and 127.176.0.0/13, so the labs run side by side.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runRollbackCase, type LabAddresses, type RollbackCase } from '../../bench/rollback-phases.ts';
import { recordReliability } from '../helpers/reliability.ts';
import { processesOf } from '../helpers/migration.ts';

const CASES: readonly (RollbackCase & { readonly lab: number })[] = [
  { phase: 2, lab: 1 },
  { phase: 5, lab: 2 },
  { phase: 6, lab: 3 },
  { phase: 9, lab: 4, killWalkBack: 'kill-after:start:kube-apiserver@master.restart' },
];

function addresses(i: number): LabAddresses {
  return { prefix: `127.44.${i}`, serviceRange: `127.${168 + i}.0.0/16`, clusterDns: `127.${168 + i}.40.1`, flannelNetwork: `127.${176 + i}.0.0/16` };
}

const labDirs: string[] = [];
after(() => {
  for (const d of labDirs) assert.deepEqual(processesOf(d), [], `no process left behind by ${d}`);
});

describe('ferry rollback from a run stopped in any phase', { concurrency: 2 }, () => {
  for (const c of CASES) {
    test(`stopped in phase ${c.phase}${c.killWalkBack !== undefined ? ', walk-back killed and resumed' : ''}: the old topology is back`, { timeout: 600_000 }, async (t) => {
      const started = Date.now();
      try {
        const r = await runRollbackCase(c, addresses(c.lab), (l) => t.diagnostic(l), labDirs);
        recordReliability('rollback', { ...r });
      } catch (err) {
        recordReliability('rollback', { case: `stopped in phase ${c.phase}`, outcome: `FAILED: ${String(err).split('\n')[0] ?? ''}`, seconds: Math.round((Date.now() - started) / 1000) });
        throw err;
      }
    });
  }
});
