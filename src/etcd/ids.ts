/**
 * etcd member IDs are uint64: they do not fit in a JS number (`Number('17995410095743796593')` is off by 407).
 * ferry keeps them as decimal strings (what the etcd3 library returns) and converts with BigInt only.
 *
 * etcdctl's table and simple outputs print IDs as Go `%x`: lower-case hex WITHOUT zero padding. Seen on etcd 3.4.23:
 * the member with decimal ID 632564652143821059 is listed as `8c752331c804103` (15 digits). `-w json` prints them
 * as bare JSON integers, hence {@link parseBigJson}.
 */
import { inputError } from '../errors.ts';
import type { MemberId } from './types.ts';

const UINT64_MAX = (1n << 64n) - 1n;
const DECIMAL_ID = /^(0|[1-9][0-9]{0,19})$/;
const HEX_ID = /^(0x)?[0-9a-fA-F]{1,16}$/;

/** True for a decimal uint64 without sign or leading zeros, as etcd3 returns member IDs. */
export function isMemberId(value: string): boolean {
  return DECIMAL_ID.test(value) && BigInt(value) <= UINT64_MAX;
}

/** Decimal member ID → the hex etcdctl prints (`%x`, lower case, not padded). */
export function idToHex(dec: string): string {
  if (!isMemberId(dec)) {
    throw inputError('ETCD_BAD_MEMBER_ID', `"${dec}" is not a decimal etcd member ID (uint64)`, {
      hint: 'Pass the ID as the decimal string etcd3 returns, or convert etcdctl hex with hexToId.',
    });
  }
  return BigInt(dec).toString(16);
}

/** Hex member ID as etcdctl prints it (any case, optional `0x`, padded or not) → decimal string. */
export function hexToId(hex: string): MemberId {
  if (!HEX_ID.test(hex)) {
    throw inputError('ETCD_BAD_MEMBER_ID', `"${hex}" is not a hex etcd member ID (1 to 16 hex digits)`, {
      hint: 'Copy the ID from `etcdctl member list` (first column).',
    });
  }
  return BigInt(hex.startsWith('0x') ? hex : `0x${hex}`).toString();
}

/** What {@link parseBigJson} returns: JSON values, with integers beyond ±(2^53−1) as bigint. */
export type BigJsonValue = null | boolean | number | bigint | string | BigJsonValue[] | { [key: string]: BigJsonValue };

/**
 * JSON.parse that keeps integer literals exact: an integer outside Number's safe range becomes a bigint, every
 * other number stays a number. For `etcdctl -w json` output, whose IDs are bare uint64 literals. Throws SyntaxError
 * on malformed input, like JSON.parse.
 */
export function parseBigJson(text: string): BigJsonValue {
  const parser = new BigJsonParser(text);
  const value = parser.parseValue();
  parser.skipSpace();
  if (!parser.atEnd()) parser.fail('unexpected trailing text');
  return value;
}

/** A decimal ID from a value of {@link parseBigJson} output (number, bigint or string); throws otherwise. */
export function parseJsonId(value: BigJsonValue | undefined): MemberId {
  if (typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value))) {
    const dec = value.toString();
    if (isMemberId(dec)) return dec;
  }
  if (typeof value === 'string' && isMemberId(value)) return value;
  throw new SyntaxError(`not an etcd member ID: ${String(value)}`);
}

const NUMBER = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

class BigJsonParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  fail(what: string): never {
    throw new SyntaxError(`parseBigJson: ${what} at position ${this.pos}`);
  }

  skipSpace(): void {
    while (!this.atEnd() && ' \t\n\r'.includes(this.text.charAt(this.pos))) this.pos++;
  }

  parseValue(): BigJsonValue {
    this.skipSpace();
    const c = this.text.charAt(this.pos);
    if (c === '{') return this.parseObject();
    if (c === '[') return this.parseArray();
    if (c === '"') return this.parseString();
    if (c === '-' || (c >= '0' && c <= '9')) return this.parseNumber();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.fail(c === '' ? 'unexpected end of input' : `unexpected "${c}"`);
  }

  private parseNumber(): number | bigint {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (m === null) return this.fail('malformed number');
    this.pos += m[0].length;
    const isInteger = m[2] === undefined && m[3] === undefined;
    if (isInteger) {
      const big = BigInt(m[0]);
      if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) return big;
    }
    return Number(m[0]);
  }

  private parseString(): string {
    const start = this.pos;
    this.pos++; // opening quote
    while (!this.atEnd()) {
      const c = this.text.charAt(this.pos);
      if (c === '\\') this.pos += 2;
      else if (c === '"') {
        this.pos++;
        // The literal is already valid JSON text: let JSON.parse handle the escapes.
        return JSON.parse(this.text.slice(start, this.pos)) as string;
      } else this.pos++;
    }
    return this.fail('unterminated string');
  }

  private parseArray(): BigJsonValue[] {
    this.pos++; // [
    const out: BigJsonValue[] = [];
    this.skipSpace();
    if (this.text.charAt(this.pos) === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.parseValue());
      this.skipSpace();
      const c = this.text.charAt(this.pos++);
      if (c === ']') return out;
      if (c !== ',') this.fail('expected "," or "]"');
    }
  }

  private parseObject(): { [key: string]: BigJsonValue } {
    this.pos++; // {
    const out: { [key: string]: BigJsonValue } = {};
    this.skipSpace();
    if (this.text.charAt(this.pos) === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.text.charAt(this.pos) !== '"') this.fail('expected a property name');
      const key = this.parseString();
      this.skipSpace();
      if (this.text.charAt(this.pos++) !== ':') this.fail('expected ":"');
      Object.defineProperty(out, key, { value: this.parseValue(), enumerable: true, writable: true, configurable: true });
      this.skipSpace();
      const c = this.text.charAt(this.pos++);
      if (c === '}') return out;
      if (c !== ',') this.fail('expected "," or "}"');
    }
  }
}
