/**
 * Issue 3: a new master at another Kubernetes version is refused before anything changes — `ferry plan` and
 * `ferry apply` exit 2 with MASTER_VERSION_MISMATCH, no run folder is made, etcd keeps its members and the old
 * master keeps answering with every node Ready on it.
 *
 * Addresses: 127.26.2.x (old etcd .31–.33, new .21–.23, old master .30 at 1.4.7, new master .20 at 1.5.5, nodes .39–.41).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { resolveRunsDir } from '../../src/home.ts';
import { ExitCode } from '../../src/errors.ts';
import { assertNodesReady, healthz, startMasterLab } from '../helpers/master-lab.ts';
import { clientURLs, describeCliRun, openAdmin, processesOf, runFerryCli } from '../helpers/migration.ts';

const PREFIX = '127.26.2';
const fixtureDirs: string[] = [];

after(() => {
  for (const d of fixtureDirs) assert.deepEqual(processesOf(d), [], `no process left behind by ${d}`);
});

async function readMembers(urls: readonly string[]): Promise<string[]> {
  const admin = openAdmin(urls);
  try {
    return (await admin.memberList()).map((m) => `${m.name} ${m.peerURLs.join(',')} ${m.isLearner}`).sort();
  } finally {
    await admin.close();
  }
}

test('a new master at another Kubernetes version is refused before anything changes', { timeout: 240_000 }, async () => {
  const lab = await startMasterLab(PREFIX, { lab: { k8sVersions: { [`${PREFIX}.20`]: '1.5.5' } } });
  fixtureDirs.push(lab.dir);
  try {
    const oldURLs = clientURLs(lab, 'old');
    const membersBefore = await readMembers(oldURLs);
    assert.equal(membersBefore.length, 3);

    for (const args of [['plan', '-f', lab.inventoryPath], ['apply', '-f', lab.inventoryPath, '--yes']]) {
      const r = await runFerryCli(args, lab.env);
      assert.equal(r.code, ExitCode.badInput, `ferry ${args[0]} exits 2: ${describeCliRun(r)}`);
      assert.match(r.stderr + r.stdout, /MASTER_VERSION_MISMATCH/, `ferry ${args[0]} names the code`);
      assert.match(r.stderr + r.stdout, /1\.5\.5/, 'the message names the new master’s version');
    }
    const runsDir = resolveRunsDir(lab.env);
    assert.deepEqual(existsSync(runsDir) ? readdirSync(runsDir) : [], [], 'no run folder');
    assert.deepEqual(await readMembers(oldURLs), membersBefore, 'etcd membership unchanged');
    assert.equal(await healthz(lab.oldMaster), true, 'the old master still answers');
    assert.equal(await healthz(lab.newMaster), false, 'the new master was not started');
    await assertNodesReady(lab.oldMaster, lab.nodes.map((n) => n.name));
  } finally {
    await lab.cleanup();
  }
});
