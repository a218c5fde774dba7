import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlAppender } from '../../../src/run/jsonl-appender.ts';
import { parseLatencySamples } from '../../../src/run/recording-files.ts';

const dir = mkdtempSync(join(tmpdir(), 'ferry-appender-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a file ending in a torn line (a kill, a full disk) gets a newline first: only the torn line is lost', () => {
  const file = join(dir, 'latency.jsonl');
  writeFileSync(file, '{"t":1,"ms":2}\n{"t":2,"m');
  const a = new JsonlAppender(file);
  a.append({ t: 3, ms: 4 });
  a.close();
  assert.equal(readFileSync(file, 'utf8'), '{"t":1,"ms":2}\n{"t":2,"m\n{"t":3,"ms":4}\n');
  const parsed = parseLatencySamples(readFileSync(file, 'utf8'));
  assert.deepEqual(parsed.records.map((r) => r.t), [1, 3]);
  assert.equal(parsed.skipped, 1);
});

test('a write that fails is told once through onError and never throws', () => {
  const errors: string[] = [];
  const a = new JsonlAppender('/proc/version', { onError: (m) => errors.push(m) });
  a.append({ t: 1 });
  a.append({ t: 2 });
  a.close();
  assert.equal(errors.length, 1);
  assert.match(errors[0] ?? '', /cannot write \/proc\/version/);
});
