/**
 * Opening an authenticated ssh2 connection the way `ssh -o StrictHostKeyChecking=yes -o BatchMode=yes` would:
 * public-key auth only, the host key checked against known_hosts, and every ssh2/socket failure translated once
 * into a HOST_* FerryError. Key material never enters an error message.
 */
import { readFile } from 'node:fs/promises';
// Default import: Node's ESM view of this CommonJS package has no named `utils` export.
import ssh2 from 'ssh2';
import type { ClientErrorExtensions, ConnectConfig } from 'ssh2';
import { FerryError, messageOf } from '../../errors.ts';
import {
  computeFingerprint, computeHostKeyAlgorithms, computeHostKeyVerdict, findHostKeys, parseKeyBlobType,
} from './known-hosts.ts';
import type { HostKeysFound, HostKeyVerdict } from './known-hosts.ts';

export interface SshConnectOptions {
  /** Host name or IP to connect to; also the name looked up in known_hosts. */
  readonly address: string;
  readonly port: number;
  readonly user: string;
  /** Path of an unencrypted private key (OpenSSH or PEM format). Its contents never appear in errors or logs. */
  readonly keyFile: string;
  /** Path of an OpenSSH known_hosts file. A missing file means every host is unknown. */
  readonly knownHostsFile: string;
  /** Bound on TCP connect, handshake and authentication together, in ms. Default 20 000. */
  readonly connectTimeoutMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;

async function readPrivateKey(keyFile: string, subjects: Record<string, string>): Promise<Buffer> {
  let data: Buffer;
  try {
    data = await readFile(keyFile);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new FerryError('HOST_KEY_FILE', `Cannot read the SSH private key file ${keyFile} (${code}).`, {
      hint: 'Check the keyFile path in the inventory and that ferry can read it.',
      subjects: { ...subjects, file: keyFile },
    });
  }
  const parsed = ssh2.utils.parseKey(data);
  // parseKey's messages are fixed texts ("Unsupported key format", "Encrypted ... no passphrase given"): no key bytes.
  const problem = parsed instanceof Error ? parsed.message : parsed.isPrivateKey() ? undefined : 'it holds no private key';
  if (problem !== undefined) {
    throw new FerryError('HOST_KEY_FILE', `The SSH key file ${keyFile} is not a usable private key: ${problem}.`, {
      hint: 'Point keyFile at an unencrypted OpenSSH or PEM private key (passphrases and ssh-agent are not supported).',
      subjects: { ...subjects, file: keyFile },
    });
  }
  return data;
}

async function readKnownHosts(knownHostsFile: string, subjects: Record<string, string>): Promise<string> {
  try {
    return await readFile(knownHostsFile, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return '';
    throw new FerryError('HOST_KNOWN_HOSTS_FILE', `Cannot read the known_hosts file ${knownHostsFile} (${code ?? messageOf(err)}).`, {
      hint: 'Check the knownHostsFile path in the inventory and that ferry can read it.',
      subjects: { ...subjects, file: knownHostsFile },
    });
  }
}

function describeOffered(offered: Buffer): string {
  return `${parseKeyBlobType(offered) ?? 'unknown-type'} key ${computeFingerprint(offered)}`;
}

function hostKeyError(verdict: HostKeyVerdict, offered: Buffer, found: HostKeysFound, opts: SshConnectOptions,
  subjects: Record<string, string>): FerryError {
  const where = `${found.lookupName} (known_hosts: ${opts.knownHostsFile})`;
  const keyType = parseKeyBlobType(offered) ?? 'ed25519';
  const scan = `ssh-keyscan -p ${opts.port} -t ${keyType} ${opts.address} >> ${opts.knownHostsFile}`;
  switch (verdict.kind) {
    case 'unknown':
      return new FerryError('HOST_KEY_UNKNOWN', `The host key of ${where} is not known; the server offered the ${describeOffered(offered)}.`, {
        hint: `Compare that fingerprint with the one the host itself reports (on the host: ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub); only if they match, add it: ${scan}`,
        subjects,
      });
    case 'mismatch':
      return new FerryError('HOST_KEY_MISMATCH', `The host key of ${where} has CHANGED: the server offered the ${describeOffered(offered)}, but known_hosts line(s) ${verdict.expected.map((e) => e.line).join(', ')} list another key.`, {
        hint: 'This can be a man-in-the-middle attack, or the host was reinstalled. ferry never accepts a changed key: verify the new fingerprint out of band, then remove the old entry (ssh-keygen -R ' +
          `'${found.lookupName}' -f ${opts.knownHostsFile}) and add the new one (${scan}).`,
        subjects,
      });
    case 'revoked':
      return new FerryError('HOST_KEY_REVOKED', `The server at ${where} offered the ${describeOffered(offered)}, which line ${verdict.entry.line} marks @revoked.`, {
        hint: 'A revoked key is never accepted. Ask the host\'s administrator to install a new host key, then add that key to known_hosts.',
        subjects,
      });
    case 'known':
      return new FerryError('HOST_SSH_FAILED', `The SSH handshake with ${where} failed after the host key was accepted.`, { subjects, retryable: true });
  }
}

function translateConnectError(err: Error & ClientErrorExtensions, opts: SshConnectOptions, timeoutMs: number,
  subjects: Record<string, string>): FerryError {
  const target = `${opts.user}@${opts.address}:${opts.port}`;
  if (err.level === 'client-authentication') {
    return new FerryError('HOST_AUTH_FAILED', `The SSH server at ${target} refused the key in ${opts.keyFile}.`, {
      hint: `Check the user name and that the public half of ${opts.keyFile} is in ~${opts.user}/.ssh/authorized_keys on the host.`,
      subjects, cause: err,
    });
  }
  if (err.level === 'client-timeout' || err.level === 'client-socket' || err.level === 'client-dns') {
    const reason = err.level === 'client-timeout' ? `no SSH session within ${timeoutMs} ms`
      : (err as NodeJS.ErrnoException).code ?? err.message;
    return new FerryError('HOST_UNREACHABLE', `Cannot reach the SSH server at ${target}: ${reason}.`, {
      hint: 'Check that the host is up, sshd listens on that address and port, and no firewall is in the way.',
      retryable: true, subjects, cause: err,
    });
  }
  return new FerryError('HOST_SSH_FAILED', `The SSH connection to ${target} failed: ${err.message}.`, {
    hint: 'Check the sshd log on the host; an old sshd may share no key exchange or cipher algorithm with ferry.',
    retryable: true, subjects, cause: err,
  });
}

/** Connects and authenticates. The returned client is ready for exec and sftp; the caller must attach 'error'. */
export async function openSshClient(opts: SshConnectOptions): Promise<ssh2.Client> {
  const subjects = { host: opts.address };
  const timeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const privateKey = await readPrivateKey(opts.keyFile, subjects);
  const found = findHostKeys(await readKnownHosts(opts.knownHostsFile, subjects), opts.address, opts.port);
  const serverHostKey = computeHostKeyAlgorithms(found);

  let offered: Buffer | undefined;
  let verdict: HostKeyVerdict | undefined;
  const config: ConnectConfig = {
    host: opts.address,
    port: opts.port,
    username: opts.user,
    privateKey,
    authHandler: ['publickey'],
    readyTimeout: timeoutMs,
    keepaliveInterval: 15_000,
    keepaliveCountMax: 4,
    ...(serverHostKey === undefined ? {} : { algorithms: { serverHostKey } }),
    hostVerifier: (key: Buffer): boolean => {
      offered = key;
      verdict = computeHostKeyVerdict(found, key);
      return verdict.kind === 'known';
    },
  };

  const client = new ssh2.Client();
  return await new Promise<ssh2.Client>((resolve, reject) => {
    const onReady = (): void => {
      client.off('error', onError).off('close', onClose);
      resolve(client);
    };
    const onError = (err: Error & ClientErrorExtensions): void => {
      client.off('ready', onReady).off('error', onError).off('close', onClose);
      client.on('error', () => undefined); // late errors of an abandoned client must not crash the process
      client.end();
      reject(verdict !== undefined && verdict.kind !== 'known' && offered !== undefined
        ? hostKeyError(verdict, offered, found, opts, subjects)
        : translateConnectError(err, opts, timeoutMs, subjects));
    };
    const onClose = (): void => {
      onError(Object.assign(new Error('the server closed the connection during the handshake'), { level: 'client-ssh' }));
    };
    client.once('ready', onReady).once('error', onError).once('close', onClose);
    try {
      client.connect(config);
    } catch (err) {
      onError(err instanceof Error ? err : new Error(messageOf(err)));
    }
  });
}
