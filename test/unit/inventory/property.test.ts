/**
 * Property tests of the inventory parser, normalizer and validator (issue 6 §5), with fast-check: generated valid
 * inventories validate clean and normalize idempotently; one mutation from a catalogue (a dropped field, a
 * duplicated host, a swapped scheme, a shell metacharacter in a name, an unknown key, a wrong type, a path outside
 * the expected folders) always yields an error with a path, never a throw; random text and bytes never crash the
 * loader with anything but an input error (exit 2).
 *
 * Seeded (FC_SEED, default 20260601): a failure prints the seed and the counterexample, and the same seed repeats it.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { ExitCode, FerryError } from '../../../src/errors.ts';
import { parseInventoryYaml, readInventory } from '../../../src/inventory/load.ts';
import type { Inventory } from '../../../src/inventory/types.ts';
import { validateInventory } from '../../../src/inventory/validate.ts';
import { recordReliability } from '../../helpers/reliability.ts';

const SEED = Number(process.env['FC_SEED'] ?? 20260601);
const RUNS = { seed: SEED, numRuns: 150 } as const;
const HOME = '/home/op';
const scratch = mkdtempSync(join(tmpdir(), 'ferry-inv-prop-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

type Raw = Record<string, unknown> & { etcd: { old: Record<string, unknown>[]; new: Record<string, unknown>[] } & Record<string, unknown> };

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
const hostSet = (n: number, lab: boolean) =>
  fc.uniqueArray(fc.tuple(fc.integer({ min: 1, max: 254 }), fc.integer({ min: 1, max: 254 })), { minLength: n, maxLength: n, selector: ([a, b]) => `${a}.${b}` })
    .map((pairs) => pairs.map(([a, b]) => `${lab ? '127' : '10'}.17.${a}.${b}`));

/** A valid inventory file (as parsed YAML): distinct hosts and names, optional sections and defaults. */
const validInventory: fc.Arbitrary<Raw> = fc
  .record({
    lab: fc.boolean(),
    oldCount: fc.integer({ min: 1, max: 5 }),
    newCount: fc.integer({ min: 1, max: 5 }),
    nodeCount: fc.integer({ min: 0, max: 4 }),
    withMaster: fc.boolean(),
    ports: fc.option(fc.uniqueArray(fc.integer({ min: 1024, max: 65535 }), { minLength: 2, maxLength: 2 }), { nil: undefined }),
    dataDir: fc.option(fc.stringMatching(/^\/data\/[a-z]{1,8}$/), { nil: undefined }),
    name: fc.stringMatching(/^[a-z0-9-]{1,20}$/),
    prefix: label,
    canary: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
  })
  .chain((o) => hostSet(o.oldCount + o.newCount + o.nodeCount + 2, o.lab).map((hosts) => ({ o, hosts })))
  .map(({ o, hosts }) => {
    const take = (i: number) => hosts[i] as string;
    const raw: Raw = {
      apiVersion: 'ferry/v1',
      name: o.name,
      access: o.lab ? { mode: 'lab', labDir: '~/.ferry/lab' } : { mode: 'ssh', keyFile: '~/.ssh/id_ed25519' },
      etcd: {
        old: Array.from({ length: o.oldCount }, (_, i) => ({ name: `${o.prefix}${i}`, host: take(i) })),
        new: Array.from({ length: o.newCount }, (_, i) => ({ name: `${o.prefix}${o.oldCount + i}`, host: take(o.oldCount + i) })),
      },
    };
    if (o.ports !== undefined || o.dataDir !== undefined) {
      raw.etcd['defaults'] = { ...(o.ports ? { clientPort: o.ports[0], peerPort: o.ports[1] } : {}), ...(o.dataDir ? { dataDir: o.dataDir } : {}) };
    }
    const base = o.oldCount + o.newCount;
    if (o.withMaster) {
      raw['master'] = { old: { host: take(base), apiserver: `http://${take(base)}:8080` }, new: { host: take(base + 1), apiserver: `http://${take(base + 1)}:8080` } };
    }
    if (o.nodeCount > 0) raw['nodes'] = Array.from({ length: o.nodeCount }, (_, i) => ({ name: `node-${i}`, host: take(base + 2 + i) }));
    if (o.canary !== undefined) raw['rollout'] = { canary: o.canary };
    return raw;
  });

function errorsOf(raw: unknown): { path: string; message: string }[] {
  return validateInventory(raw, { homeDir: HOME }).problems.filter((p) => p.severity === 'error');
}

/** The normalized inventory written back as a file with every default spelt out. */
function toFile(inv: Inventory): Record<string, unknown> {
  const { tls: _tls, ...etcd } = inv.etcd;
  const r = inv.rollout;
  return {
    apiVersion: inv.apiVersion,
    name: inv.name,
    access: inv.access,
    hosts: inv.hosts,
    etcd: { ...etcd, old: etcd.old.map((m) => ({ ...m })), new: etcd.new.map((m) => ({ ...m })) },
    ...(inv.master ? { master: inv.master } : {}),
    ...(inv.nodes ? { nodes: inv.nodes } : {}),
    ...(r === undefined ? {} : { rollout: { canary: r.canary, batchSize: r.batchSize, concurrency: r.concurrency, maxFailures: r.maxFailures, readyTimeoutSeconds: r.readyTimeoutMs / 1000 } }),
    dns: inv.dns,
  };
}

describe('valid inventories', () => {
  test('validate with no error, survive a YAML round trip, and normalize idempotently', () => {
    fc.assert(
      fc.property(validInventory, (raw) => {
        assert.deepEqual(errorsOf(raw), []);
        const parsed = parseInventoryYaml(stringify(raw));
        assert.deepEqual(parsed.problems, []);
        assert.deepEqual(parsed.value, raw);
        const once = validateInventory(raw, { homeDir: HOME }).inventory;
        assert.ok(once !== undefined);
        const twice = validateInventory(JSON.parse(JSON.stringify(toFile(once))), { homeDir: HOME }).inventory;
        assert.deepEqual(twice, once);
      }),
      RUNS,
    );
    recordReliability('bad-input', { case: 'property: valid inventories validate clean and normalize idempotently', outcome: 'held', runs: RUNS.numRuns, seed: SEED });
  });
});

/** One mutation: what it breaks, and the path (prefix) the error must name. */
interface Mutation {
  readonly kind: string;
  readonly apply: (r: Raw, pick: number, text: string) => string;
}

const METACHARS = [';', '$(', '`', '|', '&', '\n', '"', "'", '>', '*', ' ', '\\', '/'];
const member = (r: Raw, pick: number): { side: 'old' | 'new'; i: number; m: Record<string, unknown> } => {
  const all = [...r.etcd.old.map((m, i) => ({ side: 'old' as const, i, m })), ...r.etcd.new.map((m, i) => ({ side: 'new' as const, i, m }))];
  return all[pick % all.length] as { side: 'old' | 'new'; i: number; m: Record<string, unknown> };
};

const MUTATIONS: readonly Mutation[] = [
  { kind: 'drop a required top-level field', apply: (r, pick) => { const k = (['apiVersion', 'name', 'access', 'etcd'] as const)[pick % 4] as string; delete r[k]; return k; } },
  { kind: 'drop a member’s name or host', apply: (r, pick) => { const { side, i, m } = member(r, pick); const k = pick % 2 === 0 ? 'name' : 'host'; delete m[k]; return `etcd.${side}[${i}].${k}`; } },
  { kind: 'duplicate a host', apply: (r, pick) => { const a = member(r, pick); const b = member(r, pick + 1); if (a.m === b.m) { r.etcd.new.push({ name: 'dupe', host: a.m['host'] }); return `etcd.new[${r.etcd.new.length - 1}].host`; } b.m['host'] = a.m['host']; return 'etcd.'; } },
  { kind: 'swap a URL scheme', apply: (r, pick, text) => { const { side, i, m } = member(r, pick); const scheme = ['ftp', 'file', 'gopher', 'ssh', text.replace(/[^a-z]/g, '') || 'x'][pick % 5] as string; m['clientURL'] = `${scheme}://${String(m['host'])}:4012`; return `etcd.${side}[${i}].clientURL`; } },
  { kind: 'shell metacharacter in a member name', apply: (r, pick, text) => { const { side, i, m } = member(r, pick); m['name'] = `${String(m['name'])}${METACHARS[pick % METACHARS.length] as string}${text}`; return `etcd.${side}[${i}].name`; } },
  { kind: 'shell metacharacter in the inventory name', apply: (r, pick, text) => { r['name'] = `${METACHARS[pick % METACHARS.length] as string}${text}`; return 'name'; } },
  { kind: 'an unknown key', apply: (r, pick, text) => { const key = `x${text.replace(/[^A-Za-z0-9]/g, '')}`; const where = [r, r.etcd, member(r, pick).m][pick % 3] as Record<string, unknown>; where[key] = 1; return ''; } },
  { kind: 'a port of the wrong type', apply: (r, pick, text) => { r.etcd['defaults'] = { clientPort: pick % 2 === 0 ? text : [1] }; return 'etcd.defaults.clientPort'; } },
  { kind: 'a data dir outside the expected folders', apply: (r, pick) => { const { side, i, m } = member(r, pick); m['dataDir'] = ['/', '/etc', '/var/lib/etcd/../../..', 'relative/dir', '/proc/1', '/usr'][pick % 6]; return `etcd.${side}[${i}].dataDir`; } },
  { kind: 'an empty member list', apply: (r, pick) => { const side = pick % 2 === 0 ? 'old' : 'new'; r.etcd[side] = []; return `etcd.${side}`; } },
];

describe('one mutation of a valid inventory', () => {
  for (const mutation of MUTATIONS) {
    test(`${mutation.kind}: an error with a path, never a throw`, () => {
      fc.assert(
        fc.property(validInventory, fc.nat(), fc.string({ maxLength: 12 }), (raw, pick, text) => {
          const broken = structuredClone(raw);
          const expected = mutation.apply(broken, pick, text);
          const errors = errorsOf(broken);
          assert.ok(errors.length > 0, `no error after: ${mutation.kind}`);
          for (const e of errors) assert.ok(e.path.length > 0 && e.message.length > 0);
          assert.ok(errors.some((e) => e.path.startsWith(expected)), `an error at ${expected}…: ${JSON.stringify(errors)}`);
        }),
        RUNS,
      );
      recordReliability('bad-input', { case: `property: ${mutation.kind}`, outcome: 'exit 2 (error with a path)', code: 'INVENTORY_INVALID', runs: RUNS.numRuns, seed: SEED });
    });
  }
});

/** readInventory either loads or throws a FerryError with exit code 2: nothing else. */
async function assertLoadsOrRefuses(path: string): Promise<void> {
  try {
    await readInventory(path, { homeDir: HOME });
  } catch (err) {
    assert.ok(err instanceof FerryError, `a FerryError, not ${String(err)}`);
    assert.equal(err.exitCode, ExitCode.badInput);
  }
}

describe('random input to the loader', () => {
  const cases: [string, fc.Arbitrary<string | Uint8Array>][] = [
    ['random text', fc.string({ unit: 'binary', maxLength: 400 })],
    ['random bytes', fc.uint8Array({ maxLength: 400 })],
    ['random YAML of random values', fc.anything({ maxDepth: 4 }).map((v) => String(stringify(v) ?? ''))],
    ['YAML-ish text', fc.array(fc.constantFrom('a: ', '- ', '&x ', '*x ', '!!str ', '!tag ', '[', ']', '{', '}', ': ', '\n', '  ', '"', "'", '#', '? ', '|', '>', 'etcd', 'new', '\t', '%YAML 1.2\n', '---\n'), { maxLength: 60 }).map((w) => w.join(''))],
  ];
  for (const [name, arbitrary] of cases) {
    test(`${name}: loads, or is refused with exit code 2`, async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(arbitrary, async (content) => {
          const path = join(scratch, `random-${n++}.yaml`);
          writeFileSync(path, content);
          await assertLoadsOrRefuses(path);
          rmSync(path);
        }),
        { seed: SEED, numRuns: 100 },
      );
      recordReliability('bad-input', { case: `property: ${name}`, outcome: 'exit 2 or loaded, never a crash', runs: 100, seed: SEED });
    });
  }
});
