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
import { readFileSync } from 'node:fs';
import { inputError, BugError } from '../errors.ts';
import { translateEtcdError } from './errors.ts';
import type { EtcdErrorContext } from './errors.ts';
import { writeSnapshotStream } from './snapshot-file.ts';
import type { AlarmInfo, EndpointStatus, EtcdAdmin, MemberId, MemberInfo, SnapshotInfo } from './types.ts';
import { buildFailoverPolicy } from './failover-policy.ts';

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

export class Etcd3Admin implements EtcdAdmin {
  private endpointList: readonly string[];
  private pool: Etcd3;
  private readonly single = new Map<string, Etcd3>();
  private readonly credentials: IOptions['credentials'];
  private readonly grpcOptions: IOptions['grpcOptions'];
  private readonly callTimeoutMs: number;
  private readonly snapshotTimeoutMs: number;
  private closed = false;

  constructor(opts: Etcd3AdminOptions) {
    this.endpointList = validateEndpoints(opts.endpoints);
    this.credentials = readCredentials(opts.tls);
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

  async promote(id: MemberId): Promise<void> {
    await this.call({ op: 'member promote', member: id }, (o) => this.pool.cluster.memberPromote({ ID: id }, o));
  }

  async remove(id: MemberId): Promise<void> {
    await this.call({ op: 'member remove', member: id }, (o) => this.pool.cluster.memberRemove({ ID: id }, o));
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
      throw translateEtcdError(err, context);
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
    if (!/^https?:\/\/[^/\s]+$/.test(e.replace(/\/$/, ''))) {
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
  return {
    rootCertificate: read('CA', tls.ca),
    certChain: tls.cert === undefined ? undefined : read('certificate', tls.cert),
    privateKey: tls.key === undefined ? undefined : read('key', tls.key),
  };
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
