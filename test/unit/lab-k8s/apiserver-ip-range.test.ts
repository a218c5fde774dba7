import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeFirstServiceIp, computeNextServiceIp, formatIpv4, isAllocatable, isInRange, parseCidr, parseIpv4,
} from '../../../src/lab/k8s/apiserver/ip-range.ts';

describe('service IP ranges', () => {
  test('parse and format', () => {
    assert.equal(parseIpv4('127.16.0.1'), 0x7f100001);
    assert.equal(formatIpv4(0x7f100001), '127.16.0.1');
    assert.equal(parseIpv4('256.0.0.1'), undefined);
    assert.deepEqual(parseCidr('127.16.0.0/13'), { base: 0x7f100000, prefixLength: 13, size: 2 ** 19, cidr: '127.16.0.0/13' });
    assert.equal(parseCidr('10.0.0.7/24')?.cidr, '10.0.0.0/24');
    assert.equal(parseCidr('10.0.0.0'), undefined);
    assert.equal(parseCidr('10.0.0.0/33'), undefined);
    assert.equal(parseCidr('x/8'), undefined);
  });

  test('membership; the network and broadcast addresses are not allocatable', () => {
    const range = parseCidr('10.0.0.0/24');
    assert.ok(range);
    assert.equal(isInRange(range, '10.0.0.255'), true);
    assert.equal(isInRange(range, '10.0.1.0'), false);
    assert.equal(isAllocatable(range, '10.0.0.0'), false);
    assert.equal(isAllocatable(range, '10.0.0.255'), false);
    assert.equal(isAllocatable(range, '10.0.0.1'), true);
    assert.equal(computeFirstServiceIp(range), '10.0.0.1');
  });

  test('sequential allocation skips .0 and .1 and used addresses; a full range gives undefined', () => {
    const range = parseCidr('10.0.0.0/29');
    assert.ok(range);
    assert.equal(computeNextServiceIp(range, new Set()), '10.0.0.2');
    assert.equal(computeNextServiceIp(range, new Set(['10.0.0.1', '10.0.0.2', '10.0.0.4'])), '10.0.0.3');
    assert.equal(computeNextServiceIp(range, new Set(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6'])), undefined);
    const lab = parseCidr('127.16.0.0/13');
    assert.ok(lab);
    assert.equal(computeFirstServiceIp(lab), '127.16.0.1');
    assert.equal(computeNextServiceIp(lab, new Set(['127.16.0.1'])), '127.16.0.2');
  });
});
