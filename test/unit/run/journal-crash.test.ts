// A writer SIGKILLed at a random instant, 20 times over one journal: every reopen must succeed, leave only
// complete lines, keep seqs gapless, and continue from the last durable event.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Journal, readJournal } from '../../../src/run/journal.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const journalModule = fileURLToPath(new URL('../../../src/run/journal.ts', import.meta.url));
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-journal-crash-'));
const children = new Set<ChildProcess>();
after(() => {
  for (const child of children) child.kill('SIGKILL');
  fs.rmSync(root, { recursive: true, force: true });
});

// Appends forever. Some events are megabytes long, so that a kill can land in the middle of one write(2) (Linux
// stops a large write between pages on SIGKILL, leaving a torn line); the file is kept near 8 MB.
const writer = `
const fs = await import('node:fs');
const { Journal } = await import(process.env.JOURNAL_MODULE);
const j = Journal.open(process.env.JOURNAL_FILE);
const big = fs.statSync(process.env.JOURNAL_FILE).size < 8_000_000;
process.stdout.write('ready ' + j.lastSeq + '\\n');
for (let i = 0; ; i += 1) {
  const pad = big && i % 2 === 0 ? 'x'.repeat(300_000 + Math.floor(Math.random() * 1_700_000)) : '';
  j.append({ type: 'progress', stepId: 'catch-up', kind: 'raft-index', data: { i, pad } });
}
`;

function startWriter(file: string): { child: ChildProcess; ready: Promise<void>; exited: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', writer], {
    cwd: repoRoot,
    env: { ...process.env, JOURNAL_MODULE: journalModule, JOURNAL_FILE: file },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => children.delete(child));
  const ready = new Promise<void>((resolve) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    void exited.then(() => resolve());
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  void exited.then(() => {
    if (child.signalCode !== 'SIGKILL') assert.fail(`writer exited on its own (code ${child.exitCode}): ${stderr}`);
  });
  return { child, ready, exited };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('SIGKILL at a random instant, 20 times: reopen never fails, lines complete, seqs gapless', async (t) => {
  const file = path.join(root, 'run', 'journal.jsonl');
  let lastSeq = 0;
  let repairs = 0;
  for (let round = 0; round < 20; round += 1) {
    const { child, ready, exited } = startWriter(file);
    try {
      // Most rounds kill during appends; every fourth may land anywhere, including startup and open's repair.
      if (round % 4 !== 3) await ready;
      await sleep(Math.random() * (round % 4 === 3 ? 600 : 100));
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const readOnly = readJournal(file); // never throws on a torn tail
    const j = Journal.open(file);
    try {
      if (j.repairedTornTail) repairs += 1;
      assert.equal(readOnly.tornTail, j.repairedTornTail);
      const events = j.events();
      assert.ok(events.length >= lastSeq, 'durable events are never lost');
      events.forEach((e, i) => assert.equal(e.seq, i + 1));
      lastSeq = events.length;
    } finally {
      j.close();
    }
    const raw = fs.readFileSync(file, 'utf8');
    assert.ok(raw === '' || raw.endsWith('\n'), 'after open only complete lines remain');
    const lines = raw.split('\n').slice(0, -1);
    assert.equal(lines.length, lastSeq);
    for (const line of lines) JSON.parse(line);
  }
  t.diagnostic(`${lastSeq} events survived; ${repairs} of 20 kills left a torn tail that open repaired`);
  assert.ok(lastSeq > 0);
});
