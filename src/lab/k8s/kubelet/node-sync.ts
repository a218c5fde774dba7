/**
 * The kubelet's conversation with its apiserver: register the Node (GET, POST when absent), then post its status
 * every --node-status-update-frequency as the 1.4 kubelet does (PUT nodes/<name>/status, up to 5 tries on
 * conflict). The 1.4 kubelet GETs the node before every PUT; this one PUTs onto the node its last PUT returned
 * and GETs only after a conflict — the same writes with half the requests, which matters with a thousand lab
 * nodes on one apiserver. While the apiserver does not answer, it retries every ~2 s and keeps running: its node
 * goes NotReady only through the node controller's grace period.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { messageOf } from '../../../errors.ts';
import type { AgentLogger } from '../../node-runtime/agent-log.ts';
import type { HttpClient } from '../../node-runtime/http-client.ts';
import { RepeatedLog } from '../../node-runtime/repeat-log.ts';
import { RETRY_DELAY_MS } from '../../node-runtime/shared-watch.ts';
import { buildHeartbeatNode, buildNodeObject, type NodeFacts, type NodeObject } from './node-status.ts';

/** The 1.4 kubelet's nodeStatusUpdateRetry. */
const STATUS_UPDATE_RETRIES = 5;

export interface NodeSyncOptions {
  readonly client: HttpClient;
  readonly facts: NodeFacts;
  readonly frequencyMs: number;
  readonly log: AgentLogger;
  /** Injected clock for tests. */
  readonly now?: () => Date;
}

function apiMessage(status: number, json: unknown, text: string): string {
  const message = (json as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : `HTTP ${status}: ${text.slice(0, 200)}`;
}

export class NodeStatusSync {
  private registered = false;
  /** The node as the last successful status PUT returned it (its resourceVersion is current unless someone wrote since). */
  private lastNode: NodeObject | undefined;
  private readonly failures: RepeatedLog;
  private readonly path: string;

  constructor(private readonly o: NodeSyncOptions) {
    this.failures = new RepeatedLog((m) => o.log.error(m));
    this.path = `/api/v1/nodes/${encodeURIComponent(o.facts.name)}`;
  }

  private nowIso(): string {
    return (this.o.now?.() ?? new Date()).toISOString();
  }

  /** Register once, then heartbeat until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const ok = await this.syncOnce(signal);
      await sleep(ok ? this.o.frequencyMs : RETRY_DELAY_MS, undefined, { signal }).catch(() => undefined);
    }
  }

  /** One registration (if still needed) and one status update; false when it must be retried soon. */
  async syncOnce(signal: AbortSignal): Promise<boolean> {
    if (!this.registered) {
      const problem = await this.register(signal).catch((err: unknown) => messageOf(err));
      if (problem !== undefined) {
        if (!signal.aborted) this.failures.log(`Unable to register node "${this.o.facts.name}" with API server: ${problem}`);
        return false;
      }
    }
    try {
      const problem = await this.updateStatus(signal);
      if (problem !== undefined) {
        this.failures.log(`Error updating node status, will retry: ${problem}`);
        return false;
      }
      const repeated = this.failures.reset();
      if (repeated > 0) this.o.log.info(`Node status update succeeded again after ${repeated} failure(s)`);
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      this.failures.log(`Error updating node status, will retry: ${messageOf(err)}`);
      return false;
    }
  }

  /** Undefined when registered; else why not. */
  private async register(signal: AbortSignal): Promise<string | undefined> {
    const existing = await this.o.client.request('GET', this.path, { signal });
    if (existing.status === 200) {
      this.registered = true;
      this.o.log.info(`Node ${this.o.facts.name} was previously registered`);
      return undefined;
    }
    if (existing.status !== 404) return apiMessage(existing.status, existing.json, existing.text);
    this.o.log.info(`Attempting to register node ${this.o.facts.name}`);
    const created = await this.o.client.request('POST', '/api/v1/nodes', { body: buildNodeObject(this.o.facts, this.nowIso()), signal });
    if (created.status === 201 || created.status === 200 || created.status === 409) {
      this.registered = true;
      this.o.log.info(`Successfully registered node ${this.o.facts.name}`);
      return undefined;
    }
    return apiMessage(created.status, created.json, created.text);
  }

  private async updateStatus(signal: AbortSignal): Promise<string | undefined> {
    let last = '';
    for (let attempt = 0; attempt < STATUS_UPDATE_RETRIES; attempt++) {
      let current = this.lastNode;
      this.lastNode = undefined;
      if (current === undefined) {
        const got = await this.o.client.request('GET', this.path, { signal });
        if (got.status === 404) return `error getting node "${this.o.facts.name}": nodes "${this.o.facts.name}" not found`;
        if (got.status !== 200) {
          last = `error getting node "${this.o.facts.name}": ${apiMessage(got.status, got.json, got.text)}`;
          continue;
        }
        current = got.json as NodeObject;
      }
      const node = buildHeartbeatNode(current, this.o.facts, this.nowIso());
      const put = await this.o.client.request('PUT', `${this.path}/status`, { body: node, signal });
      if (put.status === 200 || put.status === 201) {
        const returned = put.json as NodeObject | undefined;
        if (returned?.metadata?.resourceVersion !== undefined) this.lastNode = returned;
        return undefined;
      }
      last = apiMessage(put.status, put.json, put.text);
      if (put.status === 404) return `error updating node "${this.o.facts.name}": ${last}`;
      if (put.status !== 409) break;
    }
    return `update node status exceeds retry count: ${last}`;
  }
}
