/**
 * The part of etcd's v2 keys API flannel uses (`/v2/keys<key>`: get, create with prevExist=false, refresh with
 * prevExist=true, with a TTL), over every endpoint it was given: an endpoint that does not answer is skipped, and
 * only when none answers is the cluster unavailable — worded as etcd's Go client words it. etcd 3.4 serves this
 * API only with --enable-v2 (this-machine.md §1.5); without it every path is `404 page not found`.
 */
import { FerryError } from '../../../errors.ts';
import { isUnreachable, type HttpClient } from '../../node-runtime/http-client.ts';

export interface EtcdV2Node {
  key: string;
  value?: string;
  dir?: boolean;
  nodes?: EtcdV2Node[];
  modifiedIndex?: number;
  ttl?: number;
}

interface EtcdV2Answer {
  node?: EtcdV2Node;
  errorCode?: number;
  message?: string;
}

const KEY_NOT_FOUND = 100;
const NODE_EXIST = 105;
const REQUEST_TIMEOUT_MS = 5_000;

export class EtcdV2Error extends FerryError {}

export function isEtcdUnavailable(err: unknown): boolean {
  return err instanceof FerryError && err.code === 'LAB_FLANNEL_ETCD_UNAVAILABLE';
}

export class EtcdV2Keys {
  /** The endpoint that answered last is tried first. */
  private preferred = 0;

  constructor(private readonly clients: readonly HttpClient[]) {}

  get endpoints(): string[] {
    return this.clients.map((c) => c.target.base);
  }

  private async send(method: string, path: string, body: string | undefined, signal: AbortSignal): Promise<{ status: number; answer: EtcdV2Answer | undefined; text: string }> {
    const errors: string[] = [];
    for (let i = 0; i < this.clients.length; i++) {
      const index = (this.preferred + i) % this.clients.length;
      const client = this.clients[index] as HttpClient;
      try {
        const res = await client.request(method, path, {
          ...(body !== undefined ? { body, contentType: 'application/x-www-form-urlencoded' } : {}),
          signal,
          timeoutMs: REQUEST_TIMEOUT_MS,
        });
        if (res.status >= 500) {
          errors.push(`error #${i}: ${client.target.base}: HTTP ${res.status}`);
          continue;
        }
        this.preferred = index;
        return { status: res.status, answer: res.json as EtcdV2Answer | undefined, text: res.text };
      } catch (err) {
        if (!isUnreachable(err) || signal.aborted) throw err;
        errors.push(`error #${i}: ${(err as Error).message}`);
      }
    }
    throw new FerryError('LAB_FLANNEL_ETCD_UNAVAILABLE', `client: etcd cluster is unavailable or misconfigured; ${errors.join('; ')}`, { retryable: true });
  }

  private invalid(path: string, status: number, text: string): EtcdV2Error {
    const hint = text.includes('404 page not found') ? ' (is the v2 API enabled? etcd 3.4 needs --enable-v2)' : '';
    return new EtcdV2Error('LAB_FLANNEL_ETCD_ERROR', `${path}: unexpected answer HTTP ${status}: ${text.trim().slice(0, 200)}${hint}`);
  }

  /** The node at `key`, or undefined when the key does not exist. */
  async get(key: string, signal: AbortSignal): Promise<EtcdV2Node | undefined> {
    const path = `/v2/keys${key}`;
    const { status, answer, text } = await this.send('GET', `${path}?quorum=false`, undefined, signal);
    if (status === 200 && answer?.node !== undefined) return answer.node;
    if (status === 404 && answer?.errorCode === KEY_NOT_FOUND) return undefined;
    throw this.invalid(path, status, text);
  }

  /** Create `key` unless it exists: `created`, or `exists` when someone holds it already. */
  async create(key: string, value: string, ttlSeconds: number, signal: AbortSignal): Promise<'created' | 'exists'> {
    const path = `/v2/keys${key}`;
    const body = new URLSearchParams({ value, ttl: String(ttlSeconds) }).toString();
    const { status, answer, text } = await this.send('PUT', `${path}?prevExist=false`, body, signal);
    if (status === 201 || status === 200) return 'created';
    if (status === 412 && answer?.errorCode === NODE_EXIST) return 'exists';
    throw this.invalid(path, status, text);
  }

  /** Rewrite an existing `key` with a fresh TTL: `renewed`, or `missing` when it is gone (expired or deleted). */
  async renew(key: string, value: string, ttlSeconds: number, signal: AbortSignal): Promise<'renewed' | 'missing'> {
    const path = `/v2/keys${key}`;
    const body = new URLSearchParams({ value, ttl: String(ttlSeconds) }).toString();
    const { status, answer, text } = await this.send('PUT', `${path}?prevExist=true`, body, signal);
    if (status === 200 || status === 201) return 'renewed';
    if (status === 404 && answer?.errorCode === KEY_NOT_FOUND) return 'missing';
    throw this.invalid(path, status, text);
  }
}
