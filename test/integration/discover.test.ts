/**
 * `ferry discover` against a live lab (127.37.0.x, DNS on with this file's own ranges 127.104.0.0/13 and
 * 127.112.0.0/13, a DomeOS console at 127.37.0.10): the CLI writes an inventory that `ferry validate` refuses until
 * the new hosts are filled in, then accepts, and that `ferry plan` plans from. And the SSH path: a real OpenSSH
 * sshd on 127.37.255.1:22637 (fresh keys, a fake systemctl on its PATH) through which discovery reads the lab
 * master's and members' files — each lab host's folder stands in for that host's `/` through a path-mapping
 * wrapper around the real SshHost, so nothing is written to this machine's /etc.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, parseDocument } from 'yaml';
import { openConsole } from '../../src/adapters/console/open.ts';
import { computeCrossChecks } from '../../src/discover/cross-checks.ts';
import { openDiscoverDeps } from '../../src/app/discover-deps.ts';
import { type DiscoverDeps } from '../../src/ports/discover-deps.ts';
import { readDiscovery } from '../../src/discover/discover.ts';
import { renderDiscovered } from '../../src/discover/document.ts';
import { buildDiscoverInput } from '../../src/discover/input.ts';
import { Etcd3Admin } from '../../src/adapters/etcd/client.ts';
import { FerryError } from '../../src/errors.ts';
import type { Host, RunOptions, RunResult, ServiceAction, ServiceState, WriteFileResult } from '../../src/ports/host.ts';
import { SshHost } from '../../src/adapters/hosts/ssh.ts';
import { validateInventory } from '../../src/inventory/validate.ts';
import { openKube } from '../../src/adapters/kube/client.ts';
import { openKubeWorkloads } from '../../src/adapters/kube/workloads.ts';
import { buildHostRoot, mapArgvIntoRoot, mapPathIntoRoot } from '../../src/lab/paths.ts';
import { startMasterLab, type MasterLab } from '../helpers/master-lab.ts';
import { runFerryCli } from '../helpers/migration.ts';
import { prepareSshdFolder, startSshd, stopSshd } from '../helpers/sshd.ts';

const P = '127.37.0';
const CONSOLE = `http://${P}.10:8080`;
const CLUSTER = 'discover-lab';
const SSH_ADDRESS = '127.37.255.1';
const SSH_PORT = 22637;

let lab: MasterLab | undefined;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-discover-'));
const file = (name: string): string => path.join(dir, name);
let sshd: ChildProcess | undefined;

function current(): MasterLab {
  assert.ok(lab !== undefined, 'the lab is up');
  return lab;
}

async function startTestSshd(): Promise<void> {
  prepareSshdFolder(dir, { address: SSH_ADDRESS, port: SSH_PORT, pathTail: '/usr/local/bin:/usr/bin:/bin' });
  // The fake systemctl: every unit is active (the lab's supervisor is not systemd).
  fs.writeFileSync(file('bin/systemctl'), '#!/bin/sh\nif [ "$1" = is-active ]; then echo active; fi\n', { mode: 0o755 });
  fs.writeFileSync(file('empty_known_hosts'), '');
  sshd = await startSshd(file('sshd_config'));
}

/**
 * A real SshHost whose absolute paths are mapped into a lab host's folder: the lab host's `/etc/sysconfig/…` is
 * read over SSH and SFTP from `<labDir>/hosts/<address>/etc/sysconfig/…`. Only what discovery uses is supported.
 */
class RootedSshHost implements Host {
  constructor(readonly address: string, private readonly inner: SshHost, private readonly root: string) {}
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    return this.inner.run(mapArgvIntoRoot(this.root, argv), options);
  }
  readFile(p: string): Promise<Buffer | undefined> {
    return this.inner.readFile(mapPathIntoRoot(this.root, p));
  }
  exists(p: string): Promise<boolean> {
    return this.inner.exists(mapPathIntoRoot(this.root, p));
  }
  serviceState(unit: string): Promise<ServiceState> {
    return this.inner.serviceState(unit);
  }
  writeFile(): Promise<WriteFileResult> {
    throw new Error('discover never writes on a host');
  }
  mkdir(): Promise<void> {
    throw new Error('discover never creates folders on a host');
  }
  rename(): Promise<void> {
    throw new Error('discover never renames on a host');
  }
  service(_unit: string, _action: ServiceAction): Promise<void> {
    throw new Error('discover never starts or stops services');
  }
  async reloadUnits(): Promise<void> {}
  async close(): Promise<void> {}
}

before(async () => {
  await startTestSshd();
  lab = await startMasterLab(P, {
    extra: { domeos: { url: CONSOLE, cluster: CLUSTER } },
    lab: { dns: true, serviceClusterIpRange: '127.104.0.0/13', clusterDns: '127.104.40.1', flannelNetwork: '127.112.0.0/13' },
  });
});

after(async () => {
  try {
    await lab?.cleanup();
  } finally {
    await stopSshd(sshd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function discoverArgs(out: string, ...extra: string[]): string[] {
  const l = current();
  return ['discover', '--lab', '--lab-dir', l.labDir, '--etcd', `http://${P}.32:4012`, '--master', l.oldMasterHost, '--console', CONSOLE, '--console-cluster', CLUSTER, '--out', out, ...extra];
}

/** The operator's edit: the new etcd members and the new master of the lab, comments kept. */
function fillIn(text: string): string {
  const doc = parseDocument(text);
  doc.setIn(['etcd', 'new'], doc.createNode([0, 1, 2].map((i) => ({ name: `new${i}`, host: `${P}.${21 + i}` }))));
  doc.setIn(['master', 'new'], doc.createNode({ host: `${P}.20`, apiserver: `http://${P}.20:8080` }));
  return doc.toString({ lineWidth: 0 });
}

describe('ferry discover on the lab', () => {
  test('writes an inventory of the live cluster; validate refuses it until the new hosts are in, then plan works', async () => {
    const l = current();
    const out = file('discovered.yaml');
    const r = await runFerryCli(discoverArgs(out), l.env, 120_000);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.doesNotMatch(r.stderr, /warning/, 'a healthy lab gives no cross-check warning');
    assert.match(r.stderr, new RegExp(`inventory written to ${out}`));
    const text = fs.readFileSync(out, 'utf8');
    const raw = parse(text) as {
      name: string;
      access: unknown;
      etcd: { old: unknown; new: unknown; defaults: { dataDir: string }; clusterToken: string };
      master: unknown;
      nodes: unknown;
      dns: unknown;
      domeos: unknown;
    };
    assert.equal(raw.name, CLUSTER);
    assert.deepEqual(raw.access, { mode: 'lab', labDir: l.labDir });
    assert.deepEqual(raw.etcd.old, [0, 1, 2].map((i) => ({ name: `old${i}`, host: `${P}.${31 + i}` })));
    assert.deepEqual(raw.etcd.new, []);
    assert.equal(raw.etcd.defaults.dataDir, '/var/lib/etcd');
    assert.match(raw.etcd.clusterToken, /^ferry-lab-/, 'the token of the lab cluster, read from /etc/sysconfig/etcd');
    assert.deepEqual(raw.master, { old: { host: l.oldMasterHost, apiserver: l.oldMaster } });
    assert.deepEqual(raw.nodes, l.nodes.map((n) => ({ name: n.name, host: n.host })));
    assert.deepEqual(raw.dns, { namespace: 'default', service: 'skydns-svc', controllers: ['kube2sky', 'skydns'], domain: 'domeos.local' });
    assert.deepEqual(raw.domeos, { url: CONSOLE, cluster: CLUSTER });
    assert.match(text, /# leader · etcd 3\.4\.\d+ · etcd active$/m);
    assert.match(text, /Kubernetes v1\.4\.7 \(\/usr\/sbin\/domeos\/k8s\/current\/kube-apiserver --version\)/);
    assert.match(text, /service skydns-svc at 127\.104\.40\.1/);
    assert.match(text, new RegExp(`record of cluster ${CLUSTER} \\(id \\d+\\): api ${P}\\.30:8080`));

    const refused = await runFerryCli(['validate', '-f', out], l.env, 60_000);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /etcd\.new: etcd\.new is empty/);
    assert.match(refused.stderr, /master\.new: new is required but missing/);

    const filled = file('filled.yaml');
    fs.writeFileSync(filled, fillIn(text));
    const valid = await runFerryCli(['validate', '-f', filled], l.env, 60_000);
    assert.equal(valid.code, 0, valid.stderr);
    const plan = await runFerryCli(['plan', '-f', filled, '-o', 'json'], l.env, 120_000);
    assert.equal(plan.code, 0, plan.stderr);
    const steps = (JSON.parse(plan.stdout) as { phases: { steps: { id: string; kind: string }[] }[] }).phases.flatMap((p) => p.steps);
    assert.deepEqual(steps.map((s) => s.kind), [
      'console.stop', 'etcd.snapshot', 'etcd.replace', 'etcd.replace', 'master.stop-old', 'master.start-new',
      'nodes.repoint', 'master.start-held-back', 'dns.update', 'etcd.replace', 'console.start', 'console.update',
    ]);
    assert.deepEqual(steps.filter((s) => s.kind === 'etcd.replace').map((s) => s.id).sort(), ['etcd.replace.old0', 'etcd.replace.old1', 'etcd.replace.old2']);
  });

  test('an existing --out is kept unless --force; bad input exits 2 and writes nothing', async () => {
    const l = current();
    const out = file('exists.yaml');
    fs.writeFileSync(out, 'mine\n');
    const refused = await runFerryCli(discoverArgs(out), l.env, 60_000);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /error DISCOVER_OUT_EXISTS/);
    assert.equal(fs.readFileSync(out, 'utf8'), 'mine\n');
    const forced = await runFerryCli(discoverArgs(out, '--force', '-o', 'json'), l.env, 120_000);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal((JSON.parse(fs.readFileSync(out, 'utf8')) as { apiVersion: string }).apiVersion, 'ferry/v1');

    const noKey = await runFerryCli(['discover', '--etcd', `http://${P}.31:4012`, '--master', l.oldMasterHost, '--out', file('never.yaml')], l.env, 60_000);
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /error DISCOVER_SSH_KEY_REQUIRED/);
    assert.equal(fs.existsSync(file('never.yaml')), false);

    const notMaster = await runFerryCli(['discover', '--lab', '--lab-dir', l.labDir, '--etcd', `http://${P}.31:4012`, '--master', `${P}.31`], l.env, 60_000);
    assert.equal(notMaster.code, 2);
    assert.match(notMaster.stderr, /error DISCOVER_NOT_A_MASTER: 127\.37\.0\.31 has no kube-apiserver unit/);
    assert.equal(notMaster.stdout, '');
  });
});

describe('ferry discover over SSH', () => {
  test("reads the master's units and /etc/sysconfig files and the members' etcd files through a real sshd", async () => {
    const l = current();
    const ssh = await SshHost.connect({ address: SSH_ADDRESS, port: SSH_PORT, user: 'root', keyFile: file('client'), knownHostsFile: file('known_hosts'), connectTimeoutMs: 10_000 });
    const etcd = new Etcd3Admin({ endpoints: [`http://${P}.31:4012`], callTimeoutMs: 5_000 });
    const unreachable = `${P}.33`;
    const deps: DiscoverDeps = {
      etcd,
      async host(address) {
        if (address === unreachable) throw new FerryError('HOST_CONNECT_TIMEOUT', `${address}: no answer`);
        return new RootedSshHost(address, ssh, buildHostRoot(l.labDir, address));
      },
      kube: (url) => openKube(url),
      workloads: (url) => openKubeWorkloads(url),
      console: (url) => openConsole(url, { env: {}, labCredentialsFile: mapPathIntoRoot(buildHostRoot(l.labDir, `${P}.10`), '/etc/domeos/credentials.yaml') }),
    };
    try {
      const input = buildDiscoverInput({ etcd: `http://${P}.31:4012`, master: l.oldMasterHost, sshKey: file('client'), sshPort: String(SSH_PORT), knownHosts: file('known_hosts'), console: CONSOLE, consoleCluster: CLUSTER });
      const d = await readDiscovery(input, deps);
      assert.deepEqual(d.master.units.map((u) => [u.name, u.unitPath, u.state]), ['flanneld', 'kube-apiserver', 'kube-controller', 'kube-scheduler', 'kube-proxy'].map((u) => [u, `/lib/systemd/system/${u}.service`, 'active']));
      assert.deepEqual(d.master.apiserverFlags?.etcdServers, [0, 1, 2].map((i) => `http://${P}.${31 + i}:4012`));
      assert.equal(d.master.apiserverFlags?.insecureBindAddress, l.oldMasterHost);
      assert.deepEqual(d.apiserver, { url: l.oldMaster, source: 'sysconfig', version: 'v1.4.7' });
      assert.equal(d.master.kubeVersion, 'v1.4.7', '`kube-apiserver --version` run over SSH');
      assert.deepEqual(d.master.flannelEtcd, [0, 1, 2].map((i) => `http://${P}.${31 + i}:4012`));
      const byName = new Map(d.etcd.members.map((m) => [m.name, m]));
      assert.equal(byName.get('old0')?.files.source, 'read');
      assert.equal(byName.get('old0')?.files.sysconfigName, 'old0');
      assert.equal(byName.get('old0')?.files.dataDir, '/var/lib/etcd');
      assert.equal(byName.get('old0')?.files.binary, '/usr/sbin/domeos/etcd/current/etcd');
      assert.equal(byName.get('old2')?.files.source, 'unreachable');
      assert.equal(d.console?.api, `${P}.30:8080`);

      const warnings = computeCrossChecks(d);
      assert.deepEqual(warnings, [`could not read member old2's files on ${unreachable} (${unreachable}: no answer): its dataDir, service, binary and configFile are etcd.defaults, check them`]);
      const text = renderDiscovered(d, warnings, 'yaml');
      assert.match(text, /host not reached: settings are etcd\.defaults$/m);
      const filledDoc = parseDocument(fillIn(text));
      // Over SSH for real hosts: the access the operator gave, recorded as the inventory's.
      assert.deepEqual(filledDoc.toJS().access, { mode: 'ssh', user: 'root', port: SSH_PORT, keyFile: file('client'), knownHosts: file('known_hosts'), sudo: false });
      filledDoc.setIn(['access'], filledDoc.createNode({ mode: 'lab', labDir: l.labDir }));
      const { problems } = validateInventory(filledDoc.toJS(), { homeDir: dir });
      assert.deepEqual(problems, []);
    } finally {
      await etcd.close();
      await ssh.close();
    }
  });

  test("the production SSH access: the host key is checked, and a host that is not a master is refused", async () => {
    const l = current();
    const base = { etcd: `http://${P}.31:4012`, master: SSH_ADDRESS, sshKey: file('client'), sshPort: String(SSH_PORT) };
    for (const [knownHosts, expected] of [[file('empty_known_hosts'), 'DISCOVER_MASTER_UNREACHABLE'], [file('known_hosts'), 'DISCOVER_NOT_A_MASTER']] as const) {
      const input = buildDiscoverInput({ ...base, knownHosts });
      const deps = openDiscoverDeps({ etcd: input.etcd, access: input.access, env: l.env });
      try {
        const err = await readDiscovery(input, deps).then(() => undefined, (e: unknown) => e);
        assert.ok(err instanceof FerryError, String(err));
        assert.equal(err.code, expected, err.message);
        if (expected === 'DISCOVER_MASTER_UNREACHABLE') assert.match(err.message, /host key/i);
      } finally {
        await deps.close();
      }
    }
  });
});
