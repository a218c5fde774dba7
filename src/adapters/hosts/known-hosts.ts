/**
 * Pure reading of an OpenSSH known_hosts file (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT") and the host-key decision
 * that ssh(1) makes with StrictHostKeyChecking=yes: a key listed for the host is accepted, a key listed under
 * `@revoked` is refused, any other key is refused (unknown when nothing is listed for the host, a mismatch when
 * something else is). No I/O here: the SSH adapter reads the file and applies the verdict.
 *
 * Supported: plain names and comma-separated lists, `*`/`?` wildcards and `!` negation, the `[host]:port` form
 * for ports other than 22, hashed names (`|1|salt|hmac-sha1`, as `ssh-keygen -H` writes them), `@revoked`.
 * Not supported: `@cert-authority` lines are skipped, so a host that presents only a CA-signed certificate is
 * reported as unknown; list the host's plain key instead.
 */
import { createHash, createHmac } from 'node:crypto';
import type { ServerHostKeyAlgorithm } from 'ssh2';

export interface KnownHostEntry {
  /** 1-based line number in the file, for messages. */
  readonly line: number;
  readonly marker: 'revoked' | 'cert-authority' | undefined;
  /** The host field as written: a pattern list, or one hashed name. */
  readonly hosts: string;
  readonly keyType: string;
  /** The SSH wire-format public key (the base64 field decoded). */
  readonly keyBlob: Buffer;
}

export interface KnownHosts {
  readonly entries: readonly KnownHostEntry[];
  /** Line numbers that could not be parsed; they are ignored, as ssh(1) does. */
  readonly invalidLines: readonly number[];
}

export interface HostKeysFound {
  /** The name looked up: `host`, or `[host]:port` when the port is not 22. */
  readonly lookupName: string;
  /** Keys accepted for the host. */
  readonly keys: readonly KnownHostEntry[];
  /** Keys that must be refused for the host. */
  readonly revoked: readonly KnownHostEntry[];
}

export type HostKeyVerdict =
  | { readonly kind: 'known'; readonly entry: KnownHostEntry }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'mismatch'; readonly expected: readonly KnownHostEntry[] }
  | { readonly kind: 'revoked'; readonly entry: KnownHostEntry };

/** The key type written inside an SSH public key blob (its first length-prefixed string), or undefined. */
export function parseKeyBlobType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || blob.length < 4 + length) return undefined;
  return blob.subarray(4, 4 + length).toString('latin1');
}

const MARKERS: ReadonlyMap<string, KnownHostEntry['marker']> = new Map([
  ['@revoked', 'revoked'],
  ['@cert-authority', 'cert-authority'],
]);

export function parseKnownHosts(text: string): KnownHosts {
  const entries: KnownHostEntry[] = [];
  const invalidLines: number[] = [];
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/[ \t]+/);
    const marker = MARKERS.get(fields[0] ?? '');
    if (marker !== undefined) fields.shift();
    const [hosts, keyType, base64] = fields;
    const keyBlob = base64 !== undefined && /^[A-Za-z0-9+/]+={0,2}$/.test(base64) ? Buffer.from(base64, 'base64') : undefined;
    if (hosts === undefined || hosts.startsWith('@') || keyType === undefined || keyBlob === undefined
      || parseKeyBlobType(keyBlob) !== keyType) {
      invalidLines.push(index + 1);
      return;
    }
    entries.push({ line: index + 1, marker, hosts, keyType, keyBlob });
  });
  return { entries, invalidLines };
}

/** The name ssh(1) looks up in known_hosts for a host and port. */
export function buildKnownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

function globToRegExp(pattern: string): RegExp {
  const body = [...pattern].map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${body.join('')}$`, 'i');
}

/** True when the host field (a pattern list or a hashed name) names `lookupName`. */
export function matchesKnownHostsName(hosts: string, lookupName: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (salt === undefined || hash === undefined) return false;
    const expected = createHmac('sha1', Buffer.from(salt, 'base64')).update(lookupName).digest('base64');
    return expected === hash;
  }
  // ssh(1) match_hostname: any negated match refuses the line; otherwise one positive match is enough.
  let matched = false;
  for (const pattern of hosts.split(',')) {
    const negated = pattern.startsWith('!');
    const glob = negated ? pattern.slice(1) : pattern;
    if (glob === '' || !globToRegExp(glob).test(lookupName)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

export function findHostKeys(knownHostsText: string, host: string, port: number): HostKeysFound {
  const lookupName = buildKnownHostsName(host, port);
  const keys: KnownHostEntry[] = [];
  const revoked: KnownHostEntry[] = [];
  for (const entry of parseKnownHosts(knownHostsText).entries) {
    if (entry.marker === 'cert-authority' || !matchesKnownHostsName(entry.hosts, lookupName)) continue;
    (entry.marker === 'revoked' ? revoked : keys).push(entry);
  }
  return { lookupName, keys, revoked };
}

/** ssh(1)'s decision for the key a server offered. A revoked key is refused even when also listed as known. */
export function computeHostKeyVerdict(found: HostKeysFound, offeredBlob: Buffer): HostKeyVerdict {
  const revoked = found.revoked.find((entry) => entry.keyBlob.equals(offeredBlob));
  if (revoked !== undefined) return { kind: 'revoked', entry: revoked };
  const known = found.keys.find((entry) => entry.keyBlob.equals(offeredBlob));
  if (known !== undefined) return { kind: 'known', entry: known };
  return found.keys.length === 0 ? { kind: 'unknown' } : { kind: 'mismatch', expected: found.keys };
}

/** The fingerprint ssh-keygen -l prints: `SHA256:` and the unpadded base64 SHA-256 of the key blob. */
export function computeFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

const DEFAULT_HOST_KEY_ALGORITHMS: readonly ServerHostKeyAlgorithm[] = [
  'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256',
  'ssh-rsa',
];

const ALGORITHMS_FOR_KEY_TYPE: ReadonlyMap<string, readonly ServerHostKeyAlgorithm[]> = new Map([
  ['ssh-ed25519', ['ssh-ed25519']],
  ['ecdsa-sha2-nistp256', ['ecdsa-sha2-nistp256']],
  ['ecdsa-sha2-nistp384', ['ecdsa-sha2-nistp384']],
  ['ecdsa-sha2-nistp521', ['ecdsa-sha2-nistp521']],
  ['ssh-rsa', ['rsa-sha2-512', 'rsa-sha2-256']],
]);

/**
 * Host key algorithms to offer, those of the keys already known first (as ssh(1) does), so a server with several
 * host keys presents one we can check instead of one we would call a mismatch. Undefined: keep the defaults.
 */
export function computeHostKeyAlgorithms(found: HostKeysFound): ServerHostKeyAlgorithm[] | undefined {
  const preferred = found.keys.flatMap((entry) => ALGORITHMS_FOR_KEY_TYPE.get(entry.keyType) ?? []);
  if (preferred.length === 0) return undefined;
  return [...new Set([...preferred, ...DEFAULT_HOST_KEY_ALGORITHMS])];
}
