import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, applyMergePatch, applyPatch, applyStrategicMergePatch, parsePatchType, PatchType } from '../../../src/lab/k8s/apiserver/patch.ts';
import { ApiError } from '../../../src/lab/k8s/apiserver/status.ts';

const isStatus = (code: number) => (err: unknown) => err instanceof ApiError && err.code === code;

describe('merge patch (RFC 7386)', () => {
  test('the RFC examples', () => {
    assert.deepEqual(applyMergePatch({ a: 'b' }, { a: 'c' }), { a: 'c' });
    assert.deepEqual(applyMergePatch({ a: 'b' }, { b: 'c' }), { a: 'b', b: 'c' });
    assert.deepEqual(applyMergePatch({ a: 'b' }, { a: null }), {});
    assert.deepEqual(applyMergePatch({ a: 'b', b: 'c' }, { a: null }), { b: 'c' });
    assert.deepEqual(applyMergePatch({ a: ['b'] }, { a: 'c' }), { a: 'c' });
    assert.deepEqual(applyMergePatch({ a: 'c' }, { a: ['b'] }), { a: ['b'] });
    assert.deepEqual(applyMergePatch({ a: { b: 'c' } }, { a: { b: 'd', c: null } }), { a: { b: 'd' } });
    assert.deepEqual(applyMergePatch({ a: [{ b: 'c' }] }, { a: [1] }), { a: [1] });
    assert.deepEqual(applyMergePatch(['a', 'b'], ['c', 'd']), ['c', 'd']);
    assert.deepEqual(applyMergePatch({ a: 'b' }, ['c']), ['c']);
    assert.deepEqual(applyMergePatch({ a: 'foo' }, null), null);
    assert.deepEqual(applyMergePatch({ e: null }, { a: 1 }), { e: null, a: 1 });
    assert.deepEqual(applyMergePatch([1, 2], { a: 'b', c: null }), { a: 'b' });
    assert.deepEqual(applyMergePatch({}, { a: { bb: { ccc: null } } }), { a: { bb: {} } });
  });

  test('does not change its input', () => {
    const target = { metadata: { labels: { a: '1' } } };
    applyMergePatch(target, { metadata: { labels: { a: null, b: '2' } } });
    assert.deepEqual(target, { metadata: { labels: { a: '1' } } });
  });
});

describe('strategic merge patch', () => {
  test('keyed lists merge by key, other lists are replaced, $ directives are dropped', () => {
    const node = { status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'OutOfDisk', status: 'False' }], images: ['a'] } };
    const patched = applyStrategicMergePatch(node, {
      $setElementOrder: {},
      status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'MemoryPressure', status: 'False' }], images: ['b'], '$setElementOrder/conditions': [] },
    });
    assert.deepEqual(patched, {
      status: {
        conditions: [{ type: 'Ready', status: 'False' }, { type: 'OutOfDisk', status: 'False' }, { type: 'MemoryPressure', status: 'False' }],
        images: ['b'],
      },
    });
  });

  test('$patch: delete removes a keyed element', () => {
    const pod = { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } };
    assert.deepEqual(applyStrategicMergePatch(pod, { spec: { containers: [{ name: 'a', $patch: 'delete' }] } }), { spec: { containers: [{ name: 'b', image: 'y' }] } });
  });
});

describe('JSON patch (RFC 6902)', () => {
  const doc = { metadata: { name: 'n', labels: { 'a/b': '1' } }, spec: { items: [1, 2, 3] } };

  test('add, remove, replace, move, copy, test', () => {
    const out = applyJsonPatch(doc, [
      { op: 'test', path: '/metadata/name', value: 'n' },
      { op: 'add', path: '/metadata/labels/c', value: '2' },
      { op: 'remove', path: '/metadata/labels/a~1b' },
      { op: 'replace', path: '/spec/items/0', value: 9 },
      { op: 'add', path: '/spec/items/-', value: 4 },
      { op: 'add', path: '/spec/items/1', value: 8 },
      { op: 'copy', from: '/metadata/name', path: '/spec/copied' },
      { op: 'move', from: '/spec/copied', path: '/spec/moved' },
    ]);
    assert.deepEqual(out, { metadata: { name: 'n', labels: { c: '2' } }, spec: { items: [9, 8, 2, 3, 4], moved: 'n' } });
    assert.deepEqual(doc.spec.items, [1, 2, 3], 'input untouched');
  });

  test('a failed test is 422; a missing path or unknown op is 400', () => {
    assert.throws(() => applyJsonPatch(doc, [{ op: 'test', path: '/metadata/name', value: 'x' }]), isStatus(422));
    assert.throws(() => applyJsonPatch(doc, [{ op: 'remove', path: '/metadata/nope' }]), isStatus(400));
    assert.throws(() => applyJsonPatch(doc, [{ op: 'replace', path: '/nope/x', value: 1 }]), isStatus(400));
    assert.throws(() => applyJsonPatch(doc, [{ op: 'add', path: '/spec/items/7', value: 1 }]), isStatus(400));
    assert.throws(() => applyJsonPatch(doc, [{ op: 'frob', path: '/a' }]), isStatus(400));
    assert.throws(() => applyJsonPatch(doc, { op: 'add' }), isStatus(400));
  });
});

describe('patch types', () => {
  test('content types, with parameters; others are 415', () => {
    assert.equal(parsePatchType('application/merge-patch+json'), PatchType.merge);
    assert.equal(parsePatchType('application/strategic-merge-patch+json; charset=utf-8'), PatchType.strategic);
    assert.equal(parsePatchType('application/json-patch+json'), PatchType.json);
    assert.throws(() => parsePatchType('application/apply-patch+yaml'), isStatus(415));
    assert.throws(() => parsePatchType(undefined), isStatus(415));
    assert.deepEqual(applyPatch(PatchType.json, { a: 1 }, [{ op: 'replace', path: '/a', value: 2 }]), { a: 2 });
  });
});
