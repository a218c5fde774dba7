/**
 * DeleteOptions in the Kubernetes protobuf encoding, the one protobuf body the stand-in reads: kubectl's typed
 * clients (kubectl drain) send it with DELETE, and its gracePeriodSeconds decides whether a pod goes at once.
 * Wire format: the magic `k8s\0`, then a runtime.Unknown {1: typeMeta, 2: raw, 3: contentEncoding, 4: contentType}
 * whose raw bytes are meta/v1 DeleteOptions {1: gracePeriodSeconds int64, 2: preconditions {1: uid, 2:
 * resourceVersion}, 3: orphanDependents bool, 4: propagationPolicy string, 5: dryRun repeated string}
 * (k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto). Pure.
 */
import type { JsonObject } from './json.ts';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

interface Field {
  readonly number: number;
  /** Varint value (wire type 0) as a bigint, or the bytes of a length-delimited field (wire type 2). */
  readonly value: bigint | Buffer;
}

function readVarint(buf: Buffer, start: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  for (let i = start; i < buf.length && shift < 70n; i++) {
    const byte = buf[i] ?? 0;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value, next: i + 1 };
    shift += 7n;
  }
  throw new Error('truncated varint');
}

/** The fields of one message; other wire types than varint and length-delimited are refused. */
function readFields(buf: Buffer): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const tag = readVarint(buf, pos);
    const number = Number(tag.value >> 3n);
    const wireType = Number(tag.value & 7n);
    if (wireType === 0) {
      const v = readVarint(buf, tag.next);
      fields.push({ number, value: v.value });
      pos = v.next;
    } else if (wireType === 2) {
      const len = readVarint(buf, tag.next);
      const end = len.next + Number(len.value);
      if (end > buf.length) throw new Error('truncated field');
      fields.push({ number, value: buf.subarray(len.next, end) });
      pos = end;
    } else throw new Error(`unexpected wire type ${wireType}`);
  }
  return fields;
}

const text = (f: Field | undefined): string | undefined => (f !== undefined && Buffer.isBuffer(f.value) ? f.value.toString('utf8') : undefined);

/** DeleteOptions as JSON, or undefined when `body` is not a protobuf DeleteOptions. */
export function parseProtobufDeleteOptions(body: Buffer): JsonObject | undefined {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  try {
    const raw = readFields(body.subarray(MAGIC.length)).find((f) => f.number === 2)?.value;
    if (!Buffer.isBuffer(raw)) return undefined;
    const fields = readFields(raw);
    const out: JsonObject = { kind: 'DeleteOptions', apiVersion: 'v1' };
    const grace = fields.find((f) => f.number === 1)?.value;
    if (typeof grace === 'bigint') out['gracePeriodSeconds'] = Number(BigInt.asIntN(64, grace));
    const pre = fields.find((f) => f.number === 2)?.value;
    if (Buffer.isBuffer(pre)) {
      const p = readFields(pre);
      out['preconditions'] = { uid: text(p.find((f) => f.number === 1)), resourceVersion: text(p.find((f) => f.number === 2)) };
    }
    const policy = text(fields.find((f) => f.number === 4));
    if (policy !== undefined) out['propagationPolicy'] = policy;
    const dryRun = fields.filter((f) => f.number === 5).map(text).filter((s): s is string => s !== undefined);
    if (dryRun.length > 0) out['dryRun'] = dryRun;
    return out;
  } catch {
    return undefined;
  }
}
