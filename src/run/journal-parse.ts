/**
 * Pure parsing of a journal's bytes (journal.jsonl: one JSON event per line), shared by the writer (journal.ts),
 * the read-only reader and the follower (journal-follow.ts).
 *
 * A torn LAST line — no trailing newline, or not valid JSON — is what a process killed in the middle of a write
 * leaves behind (a large write(2) can be cut short by SIGKILL between pages; after a power loss the tail can read
 * back as NUL bytes). It never became a durable event: the append that wrote it never returned, so the effect it
 * announced never started. It is dropped. An invalid line anywhere else cannot come from a crash of an append-only
 * writer, so it means the file was edited or damaged: JOURNAL_CORRUPT. So does a last line that IS a JSON object of
 * the wrong shape: a torn write is never valid JSON, and dropping a newer ferry's event would lose it.
 */
import { FerryError } from '../errors.ts';
import { JOURNAL_FORMAT_VERSION } from './events.ts';
import type { JournalEvent } from './events.ts';

const NEWLINE = 0x0a;

/** The fields each event type must carry (beyond seq, ts, type), checked as present. */
const requiredFields: Readonly<Record<JournalEvent['type'], readonly string[]>> = {
  'run-started': ['runId', 'formatVersion', 'planSha256', 'mode'],
  'process-attached': ['pid', 'command'],
  'step-state': ['stepId', 'state'],
  'action-started': ['stepId', 'action'],
  'action-finished': ['stepId', 'action'],
  'action-skipped': ['stepId', 'action', 'reason'],
  'action-failed': ['stepId', 'action', 'error'],
  progress: ['stepId', 'kind', 'data'],
  gate: ['stepId', 'ok', 'checks'],
  'run-state': ['state'],
  note: ['message'],
};

export interface ParsedJournal {
  readonly events: JournalEvent[];
  /** True when the last line was torn (partial or invalid) and left out of `events`. */
  readonly tornTail: boolean;
  /** Byte length of the complete, valid lines: where a repair truncates the file to. */
  readonly goodBytes: number;
}

const corruptHint =
  'the journal is append-only: do not edit it by hand. Move the run folder aside (or the journal out of it) to start over.';

function corrupt(file: string, line: number, why: string): FerryError {
  return new FerryError('JOURNAL_CORRUPT', `journal ${file} is corrupt at line ${line}: ${why}`, {
    hint: corruptHint,
    subjects: { file, line: String(line) },
  });
}

type LineResult = { event: JournalEvent } | { problem: string; torn: boolean };

/**
 * Parses one line. Only a line that is not JSON at all can be torn: a complete JSON object is a finished write,
 * so a wrong shape (an unknown type from a newer ferry, a missing field) is never silently dropped.
 */
function parseLine(text: string): LineResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { problem: `not valid JSON (${err instanceof Error ? err.message : String(err)})`, torn: true };
  }
  const bad = (problem: string): LineResult => ({ problem, torn: false });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('not a JSON object');
  const obj = value as Record<string, unknown>;
  if (typeof obj['seq'] !== 'number' || !Number.isInteger(obj['seq'])) return bad('no integer "seq"');
  if (typeof obj['ts'] !== 'string') return bad('no string "ts"');
  const type = obj['type'];
  if (typeof type !== 'string' || !Object.hasOwn(requiredFields, type)) {
    return bad(`unknown event type ${JSON.stringify(type)} (written by a newer ferry?)`);
  }
  for (const field of requiredFields[type as JournalEvent['type']]) {
    if (obj[field] === undefined) return bad(`a "${type}" event without "${field}"`);
  }
  return { event: obj as unknown as JournalEvent };
}

/**
 * Parses a journal's bytes. `firstSeq` is the seq the first line must carry (1 for a whole file; more when a
 * follower parses only the bytes after what it has seen). `firstLine` numbers lines in error messages.
 * Throws JOURNAL_CORRUPT for an invalid line that is not the last one, or a gap in seq numbers, and
 * JOURNAL_FORMAT_UNSUPPORTED for a journal written by a newer ferry.
 */
export function parseJournalBytes(
  bytes: Uint8Array,
  file: string,
  { firstSeq = 1, firstLine = 1 }: { firstSeq?: number; firstLine?: number } = {},
): ParsedJournal {
  const events: JournalEvent[] = [];
  let start = 0;
  let goodBytes = 0;
  let lineNo = firstLine;
  let expectedSeq = firstSeq;
  const decoder = new TextDecoder('utf-8', { fatal: false });
  while (start < bytes.length) {
    const nl = bytes.indexOf(NEWLINE, start);
    if (nl === -1) return { events, tornTail: true, goodBytes }; // a partial write: no newline yet
    const result = parseLine(decoder.decode(bytes.subarray(start, nl)));
    if ('problem' in result) {
      if (result.torn && nl === bytes.length - 1) return { events, tornTail: true, goodBytes };
      throw corrupt(file, lineNo, result.problem);
    }
    const parsed = result.event;
    if (parsed.seq !== expectedSeq) {
      throw corrupt(file, lineNo, `seq ${parsed.seq} where ${expectedSeq} was expected (seq numbers must be gapless)`);
    }
    if (parsed.type === 'run-started' && parsed.formatVersion > JOURNAL_FORMAT_VERSION) {
      throw new FerryError(
        'JOURNAL_FORMAT_UNSUPPORTED',
        `journal ${file} has format version ${parsed.formatVersion}; this ferry reads up to ${JOURNAL_FORMAT_VERSION}`,
        { hint: 'use the ferry version that wrote this run (or a newer one)', subjects: { file } },
      );
    }
    events.push(parsed);
    expectedSeq += 1;
    lineNo += 1;
    start = nl + 1;
    goodBytes = start;
  }
  return { events, tornTail: false, goodBytes };
}

/**
 * JSON.stringify replacer used for every appended event: a bigint (an etcd member ID, a revision) becomes its
 * decimal string, because JSON.stringify throws on bigint and JSON numbers lose precision above 2^53.
 * Readers get strings back; convert with `BigInt(s)` where a number is needed.
 */
export function journalReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString(10) : value;
}
