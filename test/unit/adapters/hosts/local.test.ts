import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FerryError } from '../../../../src/errors.ts';
import { LocalHost } from '../../../../src/adapters/hosts/local.ts';

describe('LocalHost', () => {
  let dir = '';
  const host = new LocalHost('test-local');
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-localhost-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('writeFile: atomic replace, mode kept, first backup kept, unchanged content is not written', async () => {
    const f = join(dir, 'kubelet');
    writeFileSync(f, 'old\n', { mode: 0o640 });
    assert.deepEqual(await host.writeFile(f, 'new\n', { backupPath: join(dir, 'bak') }), { changed: true, backupPath: join(dir, 'bak') });
    assert.equal(readFileSync(f, 'utf8'), 'new\n');
    assert.equal(statSync(f).mode & 0o777, 0o640);
    assert.equal(readFileSync(join(dir, 'bak'), 'utf8'), 'old\n');
    await host.writeFile(f, 'newer\n', { backupPath: join(dir, 'bak') });
    assert.equal(readFileSync(join(dir, 'bak'), 'utf8'), 'old\n', 'the first backup is kept');
    assert.deepEqual(await host.writeFile(f, 'newer\n'), { changed: false });
    await host.writeFile(join(dir, 'fresh'), Buffer.from([0xff, 0x00]), { mode: 0o600 });
    assert.equal(statSync(join(dir, 'fresh')).mode & 0o777, 0o600);
  });

  test('readFile / exists / mkdir / rename', async () => {
    assert.equal(await host.readFile(join(dir, 'missing')), undefined);
    await host.mkdir(join(dir, 'a', 'b'));
    assert.equal(await host.exists(join(dir, 'a', 'b')), true);
    writeFileSync(join(dir, 'x'), 'x');
    writeFileSync(join(dir, 'y'), 'y');
    await assert.rejects(host.rename(join(dir, 'x'), join(dir, 'y')), (e: unknown) => e instanceof FerryError && e.code === 'HOST_RENAME_FAILED');
    await host.rename(join(dir, 'x'), join(dir, 'z'));
    assert.equal((await host.readFile(join(dir, 'z')))?.toString(), 'x');
  });

  test('run: argv, stdin, exit codes, check, timeout', async () => {
    assert.deepEqual(await host.run(['cat'], { stdin: 'hi' }), { exitCode: 0, stdout: 'hi', stderr: '' });
    assert.equal((await host.run(['sh', '-c', 'exit 3'], { check: false })).exitCode, 3);
    await assert.rejects(host.run(['sh', '-c', 'echo boom >&2; exit 1']), (e: unknown) => e instanceof FerryError && e.code === 'HOST_COMMAND_FAILED' && /boom/.test(e.message));
    assert.equal((await host.run(['/nonexistent/program'], { check: false })).exitCode, 127);
    await assert.rejects(host.run(['sleep', '5'], { timeoutMs: 100 }), (e: unknown) => e instanceof FerryError && e.code === 'HOST_COMMAND_TIMEOUT');
  });
});
