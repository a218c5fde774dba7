import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FerryError } from '../../../src/errors.ts';
import { cmdNode } from '../../../src/cli/commands/node.ts';
import type { Io } from '../../../src/cli/io.ts';
import { FLANNELD, KUBE_PROXY, KUBELET } from '../../helpers/domeos-node-files.ts';

const LAB_HOST = '127.66.3.9';

function captureIo(): Io & { text: () => string } {
  const chunks: string[] = [];
  return { out: (t) => chunks.push(t), err: (t) => chunks.push(t), color: false, isTty: false, env: {}, text: () => chunks.join('') };
}

describe('ferry node update-config', () => {
  let dir = '';
  let server: Server;
  let master = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-node-cmd-'));
    // A stand-in apiserver that reports the node Ready with a heartbeat of "now".
    server = createServer((req, res) => {
      if (req.url !== '/api/v1/nodes/l-33-39') return void res.writeHead(404).end('{}');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: new Date(Date.now() + 1000).toISOString() }] } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    master = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const etc = join(dir, 'hosts', LAB_HOST, 'etc', 'sysconfig');
    mkdirSync(etc, { recursive: true });
    writeFileSync(join(etc, 'kubelet'), KUBELET.replace('http://10.17.33.30:8080', master));
    writeFileSync(join(etc, 'kube-proxy'), KUBE_PROXY.replace('http://10.17.33.30:8080', master));
    writeFileSync(join(etc, 'flanneld'), FLANNELD);
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('bad input exits 2 before touching anything', async () => {
    for (const argv of [['update-config'], ['update-config', '--master', '10.0.0.1:8080'], ['update-config', '--master', master, '--timeout', '0'], ['update-config', '--lab-dir', dir, '--master', master], ['frob']]) {
      await assert.rejects(cmdNode(argv, captureIo()), (err: unknown) => err instanceof FerryError && err.exitCode === 2, argv.join(' '));
    }
  });

  test('a lab node already on the master: exit 0, nothing restarted, Ready checked through HTTP', async () => {
    const io = captureIo();
    const code = await cmdNode(['update-config', `--master=${master}`, '--lab-host', LAB_HOST, '--lab-dir', dir, '--timeout', '10'], io);
    assert.equal(code, 0, io.text());
    assert.match(io.text(), /already up to date/);
    assert.match(io.text(), /node l-33-39 is Ready on/);
  });

  test('a node the master does not know: NODE_NOT_READY after --timeout (exit 1), files untouched', async () => {
    const etc = join(dir, 'hosts', LAB_HOST, 'etc', 'sysconfig');
    const kubelet = readFileSync(join(etc, 'kubelet'), 'utf8');
    writeFileSync(join(etc, 'kubelet'), kubelet.replace('l-33-39', 'sick-node'));
    try {
      await assert.rejects(cmdNode(['update-config', '--master', master, '--lab-host', LAB_HOST, '--lab-dir', dir, '--timeout', '1'], captureIo()), (err: unknown) => {
        assert.ok(err instanceof FerryError && err.code === 'NODE_NOT_READY' && err.exitCode === 1);
        assert.match(err.message, /sick-node.*404/);
        return true;
      });
      assert.equal(readFileSync(join(etc, 'kubelet'), 'utf8'), kubelet.replace('l-33-39', 'sick-node'));
    } finally {
      writeFileSync(join(etc, 'kubelet'), kubelet);
    }
  });

  test('a change on a lab without a supervisor fails before the first write (files untouched)', async () => {
    const kubelet = join(dir, 'hosts', LAB_HOST, 'etc', 'sysconfig', 'kubelet');
    const before = readFileSync(kubelet);
    await assert.rejects(cmdNode(['update-config', '--master', 'http://127.0.0.1:1', '--lab-host', LAB_HOST, '--lab-dir', dir], captureIo()), (err: unknown) => err instanceof FerryError && err.code === 'LAB_NOT_RUNNING');
    assert.ok(readFileSync(kubelet).equals(before));
  });
});
