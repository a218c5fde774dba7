import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProtobufDeleteOptions } from '../../../src/lab/k8s/apiserver/protobuf-delete-options.ts';

function varint(value: bigint): number[] {
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v === 0n ? byte : byte | 0x80);
  } while (v !== 0n);
  return out;
}
const bytesField = (n: number, bytes: number[]): number[] => [(n << 3) | 2, ...varint(BigInt(bytes.length)), ...bytes];
const stringField = (n: number, s: string): number[] => bytesField(n, [...Buffer.from(s)]);
const varintField = (n: number, v: bigint): number[] => [(n << 3) | 0, ...varint(v)];

function encode(deleteOptions: number[]): Buffer {
  const typeMeta = [...stringField(1, 'v1'), ...stringField(2, 'DeleteOptions')];
  return Buffer.from([0x6b, 0x38, 0x73, 0x00, ...bytesField(1, typeMeta), ...bytesField(2, deleteOptions), ...stringField(4, 'application/vnd.kubernetes.protobuf')]);
}

describe('protobuf DeleteOptions', () => {
  test('grace period, preconditions, propagation policy, dry run', () => {
    const body = encode([
      ...varintField(1, 0n),
      ...bytesField(2, [...stringField(1, 'uid-1'), ...stringField(2, '42')]),
      ...stringField(4, 'Background'),
      ...stringField(5, 'All'),
    ]);
    assert.deepEqual(parseProtobufDeleteOptions(body), {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      gracePeriodSeconds: 0,
      preconditions: { uid: 'uid-1', resourceVersion: '42' },
      propagationPolicy: 'Background',
      dryRun: ['All'],
    });
  });

  test('int64 values, including negative ones; absent fields stay absent', () => {
    assert.equal(parseProtobufDeleteOptions(encode(varintField(1, 30n)))?.['gracePeriodSeconds'], 30);
    assert.equal(parseProtobufDeleteOptions(encode(varintField(1, -1n)))?.['gracePeriodSeconds'], -1);
    assert.deepEqual(parseProtobufDeleteOptions(encode([])), { kind: 'DeleteOptions', apiVersion: 'v1' });
  });

  test('anything else is not DeleteOptions', () => {
    assert.equal(parseProtobufDeleteOptions(Buffer.from('{"kind":"DeleteOptions"}')), undefined);
    assert.equal(parseProtobufDeleteOptions(Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x12, 0x05, 0x08])), undefined, 'truncated');
  });
});
