/**
 * EtcdAdmin over the `etcd3` library (1.1.2, grpc-js 1.14). Everything ferry says to etcd goes through here.
 *
 * - Per-endpoint calls (status, linearizableRead, moveLeader, memberList(endpoint), saveSnapshot) use a cached
 *   one-host client, because etcd3's pool picks a random host per call.
 * - Cluster-wide calls (memberList(), addLearner, promote, remove, alarms) use one pooled client over all endpoints.
 * - Every unary call carries a grpc deadline (callTimeoutMs) plus a backstop timer, so nothing waits forever.
 * - Retries: etcd3's defaults (3 retries on any "recoverable" error + a per-host circuit breaker) are replaced.
 *   ferry's steps declare their own retries, and a hidden retry of e.g. member add after a timeout could add twice.
 *   The only retry left is failover in the pool to the next endpoint when the call provably never left this
 *   process (grpc-js "No connection established" / ECONNREFUSED), at most once per endpoint, within one deadline.
 */
import { Etcd3 } from 'etcd3';
import type { IMember, IOptions, IStatusResponse, MaintenanceClient } from 'etcd3';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { inputError, BugError, ExitCode, FerryError } from '../../errors.ts';
import { classifyEtcdMessage, describeCall, translateEtcdError } from './errors.ts';
import type { EtcdErrorContext } from './errors.ts';
import { writeSnapshotStream } from './snapshot-file.ts';
import type { EtcdAdmin } from '../../ports/etcd.ts';
import type { AlarmInfo, EndpointStatus, KeySpace, MemberId, MemberInfo, SnapshotInfo } from '../../etcd/types.ts';
import { buildFailoverPolicy } from '../../etcd/failover-policy.ts';
import { parseEndpointURL } from '../../inventory/urls.ts';
import type { EtcdVersion } from '../../etcd/versions.ts';
import { readEtcdVersion } from './version-probe.ts';
import type { EtcdHttpTls } from './http.ts';
import { readV2Store, saveV2Dump } from './v2-dump.ts';
import type { V2DumpInfo, V2Store } from '../../etcd/v2-store.ts';

export interface Etcd3AdminOptions {
  /** Client URLs (`http://10.0.0.1:2379` or `https://...`). */
  readonly endpoints: readonly string[];
  /** Paths of PEM files; read once, here. `ca` is required when a client certificate is given. */
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
  /**
   * Longest pause, in ms, before grpc-js dials an endpoint again after a refused connection (default 1000).
   * grpc-js has no connect timeout of its own (its reconnect backoff otherwise grows to 120 s, which would hide
   * a member that has just started); how long one dial may take is bounded by the call's deadline.
   */
  readonly dialTimeoutMs?: number;
  /** Deadline of every unary call, in ms (default 5000). */
  readonly callTimeoutMs?: number;
  /** Deadline of a whole snapshot stream, in ms (default 600000). */
  readonly snapshotTimeoutMs?: number;
}

type CallOptions = NonNullable<Parameters<MaintenanceClient['status']>[0]>;

/** Extra time the backstop timer gives grpc's own deadline before giving up on a call. */
const BACKSTOP_SLACK_MS = 1000;
/** Keys per range request of readAllKeys. */
const KEYS_PER_PAGE = 1000;

export class Etcd3Admin implements EtcdAdmin {
  private endpointList: readonly string[];
  private pool: Etcd3;
  private readonly single = new Map<string, Etcd3>();
  private readonly credentials: IOptions['credentials'];
  private readonly tlsPaths: Etcd3AdminOptions['tls'];
  private readonly grpcOptions: IOptions['grpcOptions'];
  private readonly callTimeoutMs: number;
  private readonly snapshotTimeoutMs: number;
  private closed = false;

  constructor(opts: Etcd3AdminOptions) {
    this.endpointList = validateEndpoints(opts.endpoints);
    this.credentials = readCredentials(opts.tls);
    this.tlsPaths = opts.tls;
    const dialMs = opts.dialTimeoutMs ?? 1000;
    this.grpcOptions = {
      'grpc.initial_reconnect_backoff_ms': Math.min(dialMs, 200),
      'grpc.max_reconnect_backoff_ms': dialMs,
    };
    this.callTimeoutMs = opts.callTimeoutMs ?? 5000;
    this.snapshotTimeoutMs = opts.snapshotTimeoutMs ?? 600_000;
    this.pool = this.connect(this.endpointList);
  }

  get endpoints(): readonly string[] {
    return this.endpointList;
  }

  async memberList(endpoint?: string): Promise<MemberInfo[]> {
    const client = endpoint === undefined ? this.pool : this.oneHost(endpoint);
    const res = await this.call({ op: 'member list', endpoint }, (o) => client.cluster.memberList({}, o));
    return res.members.map(toMemberInfo);
  }

  async addLearner(peerURL: string): Promise<MemberInfo> {
    const res = await this.call({ op: 'member add --learner', member: peerURL }, (o) =>
      this.pool.cluster.memberAdd({ peerURLs: [peerURL], isLearner: true }, o),
    );
    return toMemberInfo(res.member);
  }

  async addVoter(peerURL: string): Promise<MemberInfo> {
    const res = await this.call({ op: 'member add', member: peerURL }, (o) => this.pool.cluster.memberAdd({ peerURLs: [peerURL] }, o));
    return toMemberInfo(res.member);
  }

  async promote(id: MemberId): Promise<void> {
    await this.call({ op: 'member promote', member: id }, (o) => this.pool.cluster.memberPromote({ ID: id }, o));
  }

  async remove(id: MemberId): Promise<void> {
    await this.call({ op: 'member remove', member: id }, (o) => this.pool.cluster.memberRemove({ ID: id }, o));
  }

  async version(endpoint: string): Promise<EtcdVersion> {
    this.assertOpen();
    return readEtcdVersion(endpoint, this.httpTls(), this.callTimeoutMs);
  }

  async readV2Store(endpoint: string): Promise<V2Store | undefined> {
    this.assertOpen();
    return readV2Store(endpoint, this.httpTls(), this.callTimeoutMs);
  }

  async saveV2Dump(endpoint: string, path: string): Promise<V2DumpInfo | undefined> {
    this.assertOpen();
    return saveV2Dump(endpoint, path, this.httpTls(), this.snapshotTimeoutMs, new Date());
  }

  /** The TLS material for the HTTP questions (version, v2 store), as the gRPC client has it. */
  private httpTls(): EtcdHttpTls | undefined {
    const c = this.credentials;
    return c === undefined ? undefined : { ...(c.rootCertificate ? { ca: c.rootCertificate } : {}), ...(c.certChain ? { cert: c.certChain } : {}), ...(c.privateKey ? { key: c.privateKey } : {}) };
  }

  async status(endpoint: string): Promise<EndpointStatus> {
    const client = this.oneHost(endpoint);
    const res = await this.call({ op: 'endpoint status', endpoint }, (o) => client.maintenance.status(o));
    return toEndpointStatus(endpoint, res);
  }

  async alarms(): Promise<AlarmInfo[]> {
    const res = await this.call({ op: 'alarm list' }, (o) =>
      this.pool.maintenance.alarm({ action: 'Get', memberID: '0', alarm: 'None' }, o),
    );
    return res.alarms.map((a) => ({ memberId: a.memberID, alarm: String(a.alarm).toUpperCase() }));
  }

  async moveLeader(targetId: MemberId, leaderEndpoint: string): Promise<void> {
    const client = this.oneHost(leaderEndpoint);
    await this.call({ op: 'move-leader', endpoint: leaderEndpoint, member: targetId }, (o) =>
      client.maintenance.moveLeader({ targetID: targetId }, o),
    );
  }

  async linearizableRead(endpoint: string): Promise<{ revision: string }> {
    const client = this.oneHost(endpoint);
    // A range is linearizable unless `serializable` is set: the member must confirm with the leader, so this
    // fails on a learner ("rpc not supported for learner") and on a member cut off from the quorum.
    const res = await this.call({ op: 'linearizable read', endpoint }, (o) => client.get('ferry/health').options(o).exec());
    return { revision: res.header.revision };
  }

  async countKeys(): Promise<{ revision: string; count: number }> {
    const res = await this.call({ op: 'range --count-only (every key)' }, (o) => this.pool.kv.range({ key: Buffer.from([0]), range_end: Buffer.from([0]), count_only: true }, o));
    return { revision: res.header.revision, count: Number(res.count) };
  }

  async readAllKeys(options: { readonly endpoint?: string; readonly revision?: string } = {}): Promise<KeySpace> {
    const client = options.endpoint === undefined ? this.pool : this.oneHost(options.endpoint);
    const keys = new Map<string, string>();
    // From the smallest key to the end of the keyspace (range_end "\0": every key ≥ key), a page at a time.
    let start = Buffer.from([0]);
    let revision = options.revision;
    for (;;) {
      const page = await this.call({ op: 'range (every key)', ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}) }, (o) =>
        client.kv.range({ key: start, range_end: Buffer.from([0]), limit: KEYS_PER_PAGE, ...(revision !== undefined ? { revision } : {}) }, o),
      );
      // Every page at the revision of the first: the keys are one point in time.
      revision ??= page.header.revision;
      for (const kv of page.kvs) keys.set(keyText(kv.key), kv.value.toString('base64'));
      const last = page.kvs[page.kvs.length - 1];
      if (!page.more || last === undefined) return { revision, keys };
      start = Buffer.concat([last.key, Buffer.from([0])]);
    }
  }

  async saveSnapshot(endpoint: string, path: string): Promise<SnapshotInfo> {
    const { revision } = await this.linearizableRead(endpoint);
    const client = this.oneHost(endpoint);
    const context: EtcdErrorContext = { op: 'snapshot save', endpoint };
    const written = await writeSnapshotStream({
      path,
      context,
      openStream: () => client.maintenance.snapshot({ deadline: Date.now() + this.snapshotTimeoutMs }),
      timeoutMs: this.snapshotTimeoutMs + BACKSTOP_SLACK_MS,
    });
    return { ...written, revision, endpoint };
  }

  setEndpoints(endpoints: readonly string[]): void {
    this.assertOpen();
    const next = validateEndpoints(endpoints);
    for (const [endpoint, client] of this.single) {
      if (!next.includes(endpoint)) {
        client.close();
        this.single.delete(endpoint);
      }
    }
    if (sameSet(next, this.endpointList)) return;
    this.pool.close();
    this.endpointList = next;
    this.pool = this.connect(next);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pool.close();
    for (const client of this.single.values()) client.close();
    this.single.clear();
  }

  private oneHost(endpoint: string): Etcd3 {
    this.assertOpen();
    let client = this.single.get(endpoint);
    if (client === undefined) {
      client = this.connect(validateEndpoints([endpoint]));
      this.single.set(endpoint, client);
    }
    return client;
  }

  private connect(hosts: readonly string[]): Etcd3 {
    return new Etcd3({
      hosts: [...hosts],
      credentials: this.credentials,
      grpcOptions: this.grpcOptions,
      faultHandling: { global: buildFailoverPolicy(hosts.length - 1), host: () => buildFailoverPolicy(0) },
    });
  }

  /** Runs one bounded call and translates its failure. */
  private async call<T>(context: EtcdErrorContext, fn: (options: CallOptions) => Promise<T>): Promise<T> {
    this.assertOpen();
    let timer: NodeJS.Timeout | undefined;
    const backstop = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`deadline: no answer within ${this.callTimeoutMs + BACKSTOP_SLACK_MS} ms`)),
        this.callTimeoutMs + BACKSTOP_SLACK_MS,
      );
    });
    try {
      const pending = fn({ deadline: Date.now() + this.callTimeoutMs });
      pending.catch(() => undefined); // it may lose the race; its late rejection is not news
      return await Promise.race([pending, backstop]);
    } catch (err) {
      const translated = translateEtcdError(err, context);
      if (translated.code === 'ETCD_TLS') throw explainTlsFailure(translated, this.tlsPaths);
      // The pool reports the last endpoint's error: a member that is down (ECONNREFUSED) can hide another's TLS
      // refusal. With TLS configured, ask the endpoints directly so a certificate problem is named as such.
      if (translated.code === 'ETCD_UNAVAILABLE' && this.credentials !== undefined) {
        const tlsFailure = await findTlsFailure(context.endpoint === undefined ? this.endpointList : [context.endpoint], this.credentials);
        if (tlsFailure !== undefined) throw explainTlsFailure(new FerryError('ETCD_TLS', `${describeCall(context)} failed: ${tlsFailure}`, { subjects: translated.subjects, cause: err }), this.tlsPaths);
      }
      throw translated;
    } finally {
      clearTimeout(timer);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new BugError('Etcd3Admin used after close()');
  }
}


function validateEndpoints(endpoints: readonly string[]): readonly string[] {
  if (endpoints.length === 0) throw inputError('ETCD_NO_ENDPOINTS', 'No etcd endpoints were given.', { hint: 'List at least one client URL.' });
  for (const e of endpoints) {
    if (!/^https?:\/\//.test(e) || !parseEndpointURL(e, 'slash').ok) {
      throw inputError('ETCD_BAD_ENDPOINT', `"${e}" is not an etcd client URL.`, { hint: 'Write it as http://HOST:PORT or https://HOST:PORT.' });
    }
  }
  return [...new Set(endpoints)];
}

function readCredentials(tls: Etcd3AdminOptions['tls']): IOptions['credentials'] {
  if (tls === undefined || (tls.ca === undefined && tls.cert === undefined && tls.key === undefined)) return undefined;
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw inputError('ETCD_TLS_CONFIG', 'An etcd client certificate needs both cert and key.', { hint: 'Give both files, or neither.' });
  }
  if (tls.ca === undefined) {
    throw inputError('ETCD_TLS_CONFIG', 'An etcd client certificate needs the CA that signed the server certificates.', { hint: 'Give the etcd CA file as tls.ca.' });
  }
  const read = (what: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw inputError('ETCD_TLS_FILE', `Cannot read the etcd TLS ${what} file ${path} (${code}).`, { hint: 'Check the path and its permissions.', subjects: { file: path } });
    }
  };
  const rootCertificate = read('CA', tls.ca);
  const certChain = tls.cert === undefined ? undefined : read('certificate', tls.cert);
  const privateKey = tls.key === undefined ? undefined : read('key', tls.key);
  checkPem(tls, rootCertificate, certChain, privateKey);
  return { rootCertificate, certChain, privateKey };
}

/**
 * Refuse, before any connection, files that cannot work: a CA or certificate that is not a PEM certificate, a key
 * that is not a key or not the certificate's. Messages name the files, never their contents.
 */
function checkPem(tls: NonNullable<Etcd3AdminOptions['tls']>, ca: Buffer, cert: Buffer | undefined, key: Buffer | undefined): void {
  const certificate = (what: string, path: string, pem: Buffer): X509Certificate => {
    try {
      return new X509Certificate(pem);
    } catch {
      throw inputError('ETCD_TLS_FILE', `The etcd TLS ${what} file ${path} does not hold a PEM certificate.`, { hint: 'Give the PEM file (-----BEGIN CERTIFICATE-----).', subjects: { file: path } });
    }
  };
  const caCert = certificate('CA', tls.ca ?? '', ca);
  if (!caCert.ca) {
    throw inputError('ETCD_TLS_FILE', `The etcd CA file ${tls.ca ?? ''} holds a certificate that is not a CA (${caCert.subject.replace(/\n/g, ', ')}).`, {
      hint: 'etcd.tls.ca must be the CA that signed the members’ server certificates (etcd’s --trusted-ca-file), not a server or client certificate.',
      subjects: { file: tls.ca ?? '' },
    });
  }
  if (cert === undefined || key === undefined || tls.cert === undefined || tls.key === undefined) return;
  const clientCert = certificate('certificate', tls.cert, cert);
  let matches: boolean;
  try {
    matches = clientCert.checkPrivateKey(createPrivateKey(key));
  } catch {
    throw inputError('ETCD_TLS_FILE', `The etcd TLS key file ${tls.key} does not hold a PEM private key.`, { hint: 'Give the unencrypted PEM key of the client certificate.', subjects: { file: tls.key } });
  }
  if (!matches) {
    throw inputError('ETCD_TLS_KEY_MISMATCH', `The etcd client key ${tls.key} is not the key of the certificate ${tls.cert}.`, {
      hint: 'Give the key that was generated with this client certificate.',
      subjects: { file: tls.key },
    });
  }
}

/**
 * A TLS failure is the inventory's to fix (a wrong CA, a certificate etcd does not trust, https vs http), never
 * something to wait out: exit code 2 with what was given and what etcd said.
 */
function explainTlsFailure(err: FerryError, tls: Etcd3AdminOptions['tls']): FerryError {
  const raw = err.message;
  const given = tls?.ca === undefined ? 'no etcd.tls.ca (only the system CAs are trusted)' : `etcd.tls.ca ${tls.ca}`;
  let message: string;
  let hint: string;
  if (/unable to verify|self[- ]signed|unknown ca|certificate verify failed|unable to get (local )?issuer/i.test(raw)) {
    message = `the etcd server certificate is not signed by the CA ferry was given (${given})`;
    hint = 'Set etcd.tls.ca to the CA that signed the members’ server certificates (their --trusted-ca-file’s CA, e.g. /etc/etcd/ssl/ca.pem).';
  } else if (/bad certificate|certificate required|alert number 4[26]|unknown_ca|alert unknown ca/i.test(raw)) {
    message = tls?.cert === undefined ? 'etcd requires a client certificate and ferry was given none (etcd.tls.cert/key)' : `etcd refused ferry’s client certificate ${tls.cert}: it is not signed by a CA in etcd’s --trusted-ca-file`;
    hint = 'Set etcd.tls.cert and etcd.tls.key to a client certificate signed by the CA etcd trusts (--trusted-ca-file).';
  } else if (/wrong version number|packet length too long|http_request/i.test(raw)) {
    message = 'the endpoint does not speak TLS, or speaks it where ferry did not expect it (http vs https)';
    hint = 'Write the members’ clientURL with the scheme they serve: https:// when etcd has --cert-file, http:// otherwise.';
  } else {
    message = 'the TLS connection to etcd failed';
    hint = err.hint ?? 'Check etcd.tls (ca, cert, key) and the members’ https URLs.';
  }
  return new FerryError('ETCD_TLS', `${message}: ${raw}`, { hint, subjects: err.subjects, exitCode: ExitCode.badInput, cause: err });
}

/** A key as text when it is UTF-8 (every key Kubernetes, flannel or skydns writes), else `base64:…`: never two keys as one. */
function keyText(key: Buffer): string {
  const text = key.toString('utf8');
  return Buffer.from(text, 'utf8').equals(key) ? text : `base64:${key.toString('base64')}`;
}

function toMemberInfo(m: IMember): MemberInfo {
  return { id: m.ID, name: m.name, peerURLs: [...m.peerURLs], clientURLs: [...m.clientURLs], isLearner: m.isLearner === true };
}

function toEndpointStatus(endpoint: string, s: IStatusResponse): EndpointStatus {
  return {
    endpoint,
    memberId: s.header.member_id,
    leaderId: s.leader,
    raftIndex: BigInt(s.raftIndex),
    raftAppliedIndex: BigInt(s.raftAppliedIndex),
    raftTerm: BigInt(s.raftTerm),
    isLearner: s.isLearner === true,
    dbSize: BigInt(s.dbSize),
    version: s.version,
    errors: [...s.errors],
  };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

const TLS_PROBE_TIMEOUT_MS = 1500;

/**
 * GET /version (which needs no etcd auth) over https on each endpoint with ferry's CA and client certificate; the
 * first failure that is about TLS, as `endpoint: message`. Down members (refused, timed out) are not TLS failures.
 */
async function findTlsFailure(endpoints: readonly string[], credentials: NonNullable<IOptions['credentials']>): Promise<string | undefined> {
  const probes = endpoints
    .filter((e) => e.startsWith('https://'))
    .map(
      (endpoint) =>
        new Promise<string | undefined>((resolve) => {
          const req = httpsRequest(
            new URL('/version', endpoint),
            { ca: credentials.rootCertificate, ...(credentials.certChain !== undefined ? { cert: credentials.certChain } : {}), ...(credentials.privateKey !== undefined ? { key: credentials.privateKey } : {}), signal: AbortSignal.timeout(TLS_PROBE_TIMEOUT_MS) },
            (res) => {
              res.resume();
              resolve(undefined);
            },
          );
          req.on('error', (e) => resolve(classifyEtcdMessage(e.message).code === 'ETCD_TLS' || /EPROTO|alert/i.test(e.message) ? `${endpoint}: ${e.message}` : undefined));
          req.end();
        }),
    );
  return (await Promise.all(probes)).find((r) => r !== undefined);
}
