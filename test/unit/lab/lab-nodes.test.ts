import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLabNodes } from '../../../src/lab/setup/lab-nodes.ts';

const inventoryNodes = [
  { name: 'l-33-39', host: '127.17.33.39' },
  { name: 'l-33-40', host: '127.17.33.40' },
];

describe('buildLabNodes', () => {
  test('the inventory`s nodes by default', () => {
    const r = buildLabNodes(inventoryNodes);
    assert.ok(r.ok);
    assert.deepEqual(r.nodes.map((n) => [n.name, n.host, n.generated]), [
      ['l-33-39', '127.17.33.39', false],
      ['l-33-40', '127.17.33.40', false],
    ]);
  });

  test('--nodes N: the inventory`s first, then lab-node-<i> after the base, across octet boundaries', () => {
    const r = buildLabNodes(inventoryNodes, { total: 260 });
    assert.ok(r.ok);
    assert.equal(r.nodes.length, 260);
    assert.deepEqual(r.nodes[2], { name: 'lab-node-1', host: '127.17.40.1', generated: true });
    assert.deepEqual(r.nodes[257], { name: 'lab-node-256', host: '127.17.41.0', generated: true });
    const custom = buildLabNodes([], { total: 2, generatedBase: '127.25.2.0' });
    assert.ok(custom.ok);
    assert.deepEqual(custom.nodes.map((n) => n.host), ['127.25.2.1', '127.25.2.2']);
  });

  test('refusals: fewer than the inventory, taken addresses, bad base, beyond 127/8', () => {
    assert.equal(buildLabNodes(inventoryNodes, { total: 1 }).ok, false);
    assert.equal(buildLabNodes([], { total: 2, generatedBase: '127.17.33.29', taken: new Set(['127.17.33.30']) }).ok, false);
    assert.equal(buildLabNodes([], { total: 1, generatedBase: 'x' }).ok, false);
    assert.equal(buildLabNodes([], { total: 3, generatedBase: '127.255.255.254' }).ok, false);
    assert.equal(buildLabNodes([], { total: -1 }).ok, false);
  });
});
