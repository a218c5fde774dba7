/**
 * docs/inventory.md is generated from the inventory schema (scripts/gen-inventory-doc.ts): it must be what the
 * generator writes today, so a field added to, changed in or removed from src/inventory/schema.ts (or a changed
 * default) shows up in the reference. When this fails, run `npm run docs`.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildInventoryDoc, INVENTORY_DOC } from '../../../scripts/gen-inventory-doc.ts';
import { DEFAULTS } from '../../../src/inventory/schema.ts';

describe('docs/inventory.md', () => {
  const doc = buildInventoryDoc();

  test('is up to date with the schema and DEFAULTS (else: npm run docs)', () => {
    assert.ok(readFileSync(INVENTORY_DOC, 'utf8') === doc, 'docs/inventory.md is out of date: run `npm run docs` and commit the result');
  });

  test('has a section for every field, with its default', () => {
    for (const path of ['apiVersion', 'access.keyFile', 'hosts.<address>.port', 'etcd.defaults.clientPort', 'etcd.old[].peerURL', 'master.old.apiserver', 'nodes[].name', 'rollout.maxFailures', 'dns.controllers', 'domeos.stopCommand']) {
      assert.match(doc, new RegExp(`\\n###? \`${path.replace(/[.[\]<>]/g, (c) => `\\${c}`)}\`\\n`), path);
    }
    assert.match(doc, new RegExp(`\\[\`rollout\\.batchSize\`\\]\\(#rolloutbatchsize\\) \\| optional \\| \`${DEFAULTS.rollout.batchSize}\` \\|`));
    assert.match(doc, /\[`etcd\.defaults\.peerPort`\]\(#etcddefaultspeerport\) \| optional \| `4010` \|/);
  });

  test('every link to a field points at a heading of the page', () => {
    const anchors = new Set<string>();
    const seen = new Map<string, number>();
    for (const line of doc.split('\n')) {
      const h = /^#{1,6} (.*)$/.exec(line);
      if (h === null) continue;
      const base = (h[1] as string).toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    const links = [...doc.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1] as string);
    assert.ok(links.length > 50);
    assert.deepEqual(links.filter((l) => !anchors.has(l)), []);
  });
});
