/**
 * The lab's flanneld (0.5.5 flags, as DomeOS's flanneld.service runs it, docs/design/domeos.md §2.2): reads the network
 * config from `<prefix>/config` through etcd's v2 API, acquires a subnet lease for the host, writes subnet.env and
 * the docker options (the unit's ExecStartPost), then renews the lease and watches the config. It exits 1 when
 * etcd does not answer — at start (after ~5 s of trying) or for more than ~10 s while running — and the unit's
 * Restart=always brings it back. Runs as an agent in a node runtime, or alone when lab-bin/flanneld is executed.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError, messageOf } from '../../../errors.ts';
import { formatCidr, parseCidr, parseIPv4, networkAddress } from '../../setup/ipv4.ts';
import { writeFlagError, type AgentContext, type AgentMain } from '../../node-runtime/agent.ts';
import { resolveHostPath, toHostPath } from '../../node-runtime/host-paths.ts';
import { normalizeServerURL } from '../../node-runtime/apiserver-target.ts';
import { RepeatedLog } from '../../node-runtime/repeat-log.ts';
import { describeUnexpectedAnswer, EtcdV2Client, type EtcdV2Failures } from '../common/etcd-v2.ts';
import { DEFAULT_FLANNEL_VERSION, readProgramVersion } from '../common/version.ts';
import { FlannelConfigMonitor } from './config-monitor.ts';
import { parseFlanneldFlags, type FlanneldConfig } from './flags.ts';
import type { HttpTls } from '../../node-runtime/http-client.ts';
import { acquireLease, LEASE_TTL_SECONDS, type Lease } from './lease.ts';
import { DOCKER_OPTS_FILE, parseSubnetEnv, renderDockerOpts, renderSubnetEnv, VXLAN_MTU } from './subnet-file.ts';
import { buildSubnetEnvValue, formatNetwork, parseFlannelConfig, type FlannelNetworkConfig } from './subnets.ts';

/** The real flanneld renews its lease an hour before it expires; the lab renews every 30 s. */
export const LEASE_RENEW_INTERVAL_MS = 30_000;
/** How long etcd may be silent before a running flanneld gives up. */
export const ETCD_UNREACHABLE_EXIT_MS = 10_000;
/** How long a starting flanneld keeps trying an etcd that does not answer before it fails. */
const START_TRY_MS = 5_000;
const RETRY_DELAY_MS = 1_000;
const CHECK_INTERVAL_MS = 1_000;

class StartFailure extends Error {}

/** etcd's v2 API answered flanneld unexpectedly (e.g. `404 page not found`: v2 disabled). */
class EtcdV2Error extends FerryError {}

/** flanneld names its etcd failures with codes of its own (docs/errors.md), and quotes no 5xx body. */
const FLANNEL_ETCD_FAILURES: EtcdV2Failures = {
  unavailable: (attempts) => new FerryError('LAB_FLANNEL_ETCD_UNAVAILABLE', `client: etcd cluster is unavailable or misconfigured; ${attempts}`, { retryable: true }),
  unexpected: (path, status, _answer, text) => new EtcdV2Error('LAB_FLANNEL_ETCD_ERROR', describeUnexpectedAnswer(path, status, text)),
  quotesServerErrors: false,
};

/** `-iface` may be an address; an interface name stands for the host's address in the lab. */
function choosePublicIP(ctx: AgentContext, iface: string, publicIP: string): string {
  if (publicIP !== '') return publicIP;
  return parseIPv4(iface) !== undefined ? iface : ctx.hostAddress;
}

/** etcd did not answer, or answered what is not etcd's v2 API (e.g. v2 disabled). */
function isEtcdTrouble(err: unknown): boolean {
  return (err instanceof FerryError && err.code === 'LAB_FLANNEL_ETCD_UNAVAILABLE') || err instanceof EtcdV2Error;
}

/** Retry `fn` while etcd is in trouble, for up to START_TRY_MS; then a StartFailure. */
async function whileStarting<T>(what: string, fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
  const deadline = Date.now() + START_TRY_MS;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (signal.aborted || !isEtcdTrouble(err) || Date.now() >= deadline) {
        if (isEtcdTrouble(err)) throw new StartFailure(`${what}: ${messageOf(err)}`);
        throw err;
      }
      await sleep(RETRY_DELAY_MS, undefined, { signal });
    }
  }
}

async function readNetworkConfig(etcd: EtcdV2Client, key: string, ctx: AgentContext, signal: AbortSignal): Promise<{ config: FlannelNetworkConfig; raw: string }> {
  const failures = new RepeatedLog((m) => ctx.log.error(m), 30);
  for (;;) {
    const node = await whileStarting('Failed to retrieve network config', () => etcd.get(key, {}, signal), signal);
    if (node?.value !== undefined) {
      const parsed = parseFlannelConfig(node.value);
      if (parsed.ok) return { config: parsed.config, raw: node.value };
      failures.log(`Failed to retrieve network config: ${parsed.message}`);
    } else failures.log(`Failed to retrieve network config: 100: Key not found (${key.slice(0, key.lastIndexOf('/')) || '/'})`);
    await sleep(RETRY_DELAY_MS, undefined, { signal });
  }
}

async function readPreviousSubnet(path: string): Promise<{ subnet: number; len: number } | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  const cidr = text === undefined ? undefined : parseCidr(parseSubnetEnv(text)?.subnet ?? '');
  return cidr === undefined ? undefined : { subnet: networkAddress(cidr), len: cidr.prefixLength };
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

export const runFlanneld: AgentMain = async (ctx, signal) => {
  const parsed = parseFlanneldFlags(ctx.argv.slice(1), ctx.env);
  if (!parsed.ok) return writeFlagError(ctx, 'flanneld', parsed.message);
  const flags = parsed.config;
  if (flags.version) {
    // flanneld prints its version on stderr.
    ctx.stderr(`${readProgramVersion(ctx.argv[0], DEFAULT_FLANNEL_VERSION)}\n`);
    return 0;
  }
  if (flags.help) {
    ctx.stderr('Usage: flanneld [OPTION]...\n');
    return 0;
  }
  // The supervisor maps `/…` words of a command line into the host's root; the prefix is an etcd key, not a path.
  const prefix = toHostPath(ctx.root, flags.etcdPrefix);
  const publicIP = choosePublicIP(ctx, flags.iface, flags.publicIP);
  ctx.log.info(`Using ${publicIP} as external interface (lab flanneld ${readProgramVersion(ctx.argv[0], DEFAULT_FLANNEL_VERSION)})`);
  let etcdTls: HttpTls | undefined;
  try {
    etcdTls = await readEtcdTls(ctx.root, flags);
  } catch (err) {
    ctx.log.error(`failed to read the etcd TLS files: ${messageOf(err)}`);
    return 1;
  }
  const clients = flags.etcdEndpoints.map((e) => ctx.shared.client({ base: normalizeServerURL(e), ...(etcdTls !== undefined ? { tls: etcdTls } : {}) }));
  const etcd = new EtcdV2Client(clients, { failures: FLANNEL_ETCD_FAILURES });
  const subnetFile = resolveHostPath(ctx.root, flags.subnetFile);
  let lease: Lease;
  let network: FlannelNetworkConfig;
  let rawConfig: string;
  try {
    ({ config: network, raw: rawConfig } = await readNetworkConfig(etcd, `${prefix}/config`, ctx, signal));
    const previous = await readPreviousSubnet(subnetFile);
    lease = await whileStarting('Failed to acquire lease', () => acquireLease({ etcd, prefix, config: network, publicIP, ...(previous !== undefined ? { previous } : {}), log: ctx.log, signal }), signal);
  } catch (err) {
    if (signal.aborted) return 0;
    ctx.log.error(messageOf(err));
    return 1;
  }
  const env = { network: formatNetwork(network), subnet: buildSubnetEnvValue(lease.subnet, lease.len), mtu: VXLAN_MTU, ipMasq: flags.ipMasq };
  await writeAtomically(subnetFile, renderSubnetEnv(env));
  await writeAtomically(resolveHostPath(ctx.root, DOCKER_OPTS_FILE), renderDockerOpts(env));
  ctx.log.info(`Lease acquired: ${formatCidr(lease.subnet, lease.len)}; wrote ${toHostPath(ctx.root, subnetFile)}`);

  const held = ctx.shared.acquire(`flannel-config ${JSON.stringify(etcd.endpoints)} ${prefix}`, () => new FlannelConfigMonitor(etcd, `${prefix}/config`, rawConfig));
  const monitor = held.value;
  let lastConfig = rawConfig;
  let nextRenew = Date.now() + LEASE_RENEW_INTERVAL_MS;
  const renewFailures = new RepeatedLog((m) => ctx.log.error(m));
  try {
    while (!signal.aborted) {
      await sleep(CHECK_INTERVAL_MS, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) break;
      if (monitor.unreachableForMs() > ETCD_UNREACHABLE_EXIT_MS) {
        ctx.log.error(`etcd has not answered for more than ${ETCD_UNREACHABLE_EXIT_MS / 1000}s (${monitor.lastError ?? 'no answer'}); exiting`);
        return 1;
      }
      if (monitor.value !== undefined && monitor.value !== lastConfig) {
        lastConfig = monitor.value;
        ctx.log.warn(`Network config changed in etcd: ${lastConfig} (the lease stays until flanneld restarts)`);
      }
      if (Date.now() < nextRenew) continue;
      try {
        const renewed = await etcd.renew(lease.key, lease.value, LEASE_TTL_SECONDS, signal);
        if (renewed === 'missing') {
          if ((await etcd.create(lease.key, lease.value, LEASE_TTL_SECONDS, signal)) === 'exists') {
            ctx.log.error(`Lease ${lease.key} was taken by another host; exiting`);
            return 1;
          }
          ctx.log.warn('Lease had expired or was deleted; re-created it');
        }
        renewFailures.reset();
        nextRenew = Date.now() + LEASE_RENEW_INTERVAL_MS;
      } catch (err) {
        if (signal.aborted) break;
        renewFailures.log(`Error renewing lease (trying again in ${RETRY_DELAY_MS / 1000}s): ${messageOf(err)}`);
        nextRenew = Date.now() + RETRY_DELAY_MS;
      }
    }
  } finally {
    held.release();
  }
  return 0;
};

/** flanneld's -etcd-cafile/-etcd-certfile/-etcd-keyfile, read from the host's root. */
async function readEtcdTls(root: string, flags: FlanneldConfig): Promise<HttpTls | undefined> {
  if (flags.etcdCaFile === undefined && flags.etcdCertFile === undefined) return undefined;
  const read = (path: string | undefined) => (path === undefined ? Promise.resolve(undefined) : readFile(resolveHostPath(root, path)));
  const [ca, cert, key] = await Promise.all([read(flags.etcdCaFile), read(flags.etcdCertFile), read(flags.etcdKeyFile)]);
  return { ...(ca !== undefined ? { ca } : {}), ...(cert !== undefined && key !== undefined ? { cert, key } : {}) };
}
