/**
 * The lab's skydns (the `pub.domeos.org/domeos/skydns:1.5` container, docs/design/domeos.md §4): a DNS server on UDP and TCP
 * at `-addr` that answers names under `-domain` from the records kube2sky keeps in etcd (v2 API, `-machines`,
 * `-path-prefix`), reading etcd for every query, and forwards other names to loopback `-nameservers` only
 * (route.ts). `-addr=0.0.0.0:53` binds the pod's own address (the agent's host address): in the lab that is the
 * container's network namespace. Like the real program it logs with Go's `log`, exits 2 on a bad flag and 1 when
 * `-addr`/`-nameservers` are invalid or the address cannot be bound, and otherwise runs until it is stopped.
 */
import { once } from 'node:events';
import { decode, encode, type DecodedPacket, type Packet } from 'dns-packet';
import { messageOf } from '../../../errors.ts';
import { writeFlagError, type AgentContext, type AgentMain } from '../../node-runtime/agent.ts';
import { normalizeServerURL } from '../../node-runtime/apiserver-target.ts';
import { RepeatedLog } from '../../node-runtime/repeat-log.ts';
import { EtcdV2Client } from '../common/etcd-v2.ts';
import { buildLocalResponse, buildResponse, buildTruncated, DEFAULT_MIN_TTL_SECONDS, DEFAULT_TTL_SECONDS, Rcode, readUdpLimit, type ZoneConfig } from './answer.ts';
import { parseEtcdConfig, parseSkydnsFlags, SKYDNS_VERSION, type HostPort, type SkydnsConfig } from './flags.ts';
import { forwardQuery, type Transport } from './forward.ts';
import { renderGoLogLine } from './log.ts';
import { SkydnsResolver } from './resolver.ts';
import { formatHostPort, routeQuery } from './route.ts';
import { startDnsServer } from './server.ts';

/** How long skydns may take to read its config from etcd at start before it goes on with its flags. */
const CONFIG_READ_TIMEOUT_MS = 5_000;

interface Settings {
  readonly domain: string;
  readonly nameservers: readonly HostPort[];
  readonly noRec: boolean;
  readonly ttlSeconds: number;
  readonly minTtlSeconds: number;
}

/** `0.0.0.0` (or `::`) is "every address of the container": the pod's own address in the lab. */
function chooseBindAddress(addr: HostPort, podAddress: string): HostPort {
  return addr.host === '0.0.0.0' || addr.host === '::' ? { host: podAddress, port: addr.port } : addr;
}

async function readSettings(etcd: EtcdV2Client, config: SkydnsConfig, log: (m: string) => void, signal: AbortSignal): Promise<Settings | string> {
  const base: Settings = { domain: config.domain, nameservers: config.nameservers, noRec: config.noRec, ttlSeconds: DEFAULT_TTL_SECONDS, minTtlSeconds: DEFAULT_MIN_TTL_SECONDS };
  const configKey = `/${config.pathPrefix}/config`;
  let node;
  try {
    node = await etcd.get(configKey, {}, AbortSignal.any([signal, AbortSignal.timeout(CONFIG_READ_TIMEOUT_MS)]));
  } catch (err) {
    log(`skydns: falling back to default configuration, could not read from etcd: ${messageOf(err)}`);
    return base;
  }
  if (node?.value === undefined) {
    log(`skydns: falling back to default configuration, could not read from etcd: 100: Key not found (${configKey})`);
    return base;
  }
  const parsed = parseEtcdConfig(node.value);
  if (!parsed.ok) return `skydns: ${parsed.message}`;
  const o = parsed.overrides;
  return {
    domain: o.domain ?? base.domain,
    nameservers: o.nameservers ?? base.nameservers,
    noRec: o.noRec ?? base.noRec,
    ttlSeconds: o.ttlSeconds ?? base.ttlSeconds,
    minTtlSeconds: o.minTtlSeconds ?? base.minTtlSeconds,
  };
}

function usage(ctx: AgentContext): string {
  return `Usage of ${ctx.argv[0] ?? 'skydns'}:\n  -addr string\n  -domain string\n  -machines string\n  -nameservers string\n  -path-prefix string\n  (lab stand-in of skydns ${SKYDNS_VERSION})\n`;
}

export const runSkydns: AgentMain = async (ctx, signal) => {
  const log = (message: string): void => ctx.log.write(renderGoLogLine(new Date(), message));
  const parsed = parseSkydnsFlags(ctx.argv.slice(1), ctx.env);
  if (!parsed.ok) {
    if (parsed.kind === 'usage') return writeFlagError(ctx, ctx.argv[0] ?? 'skydns', parsed.message);
    log(parsed.message);
    return 1;
  }
  const config = parsed.config;
  if (config.version) {
    ctx.stdout(`skydns server version: ${SKYDNS_VERSION}\n`);
    return 0;
  }
  if (config.help) {
    ctx.stderr(usage(ctx));
    return 0;
  }
  const etcd = new EtcdV2Client(config.machines.map((m) => ctx.shared.client({ base: normalizeServerURL(m) })), { timeoutMs: config.readTimeoutMs });
  const settings = await readSettings(etcd, config, log, signal);
  if (signal.aborted) return 0;
  if (typeof settings === 'string') {
    log(settings);
    return 1;
  }
  const resolver = new SkydnsResolver(etcd, config.pathPrefix);
  const failures = new RepeatedLog(log, 30);
  const refusals = new RepeatedLog(log, 100);
  let rotation = 0;
  const zone = (): ZoneConfig => ({ domain: settings.domain, ttlSeconds: settings.ttlSeconds, minTtlSeconds: settings.minTtlSeconds, serial: Math.floor(Date.now() / 3_600_000) * 3600 });

  const answer = async (query: DecodedPacket, raw: Buffer, transport: Transport): Promise<Packet | Buffer> => {
    const route = routeQuery(query.questions, settings);
    if (config.verbose && route.kind !== 'formerr') log(`skydns: received DNS Request for "${query.questions?.[0]?.name ?? ''}" over ${transport}`);
    switch (route.kind) {
      case 'formerr':
        return buildResponse(query, { rcode: Rcode.formErr });
      case 'servfail':
        refusals.log(`skydns: ${route.reason}`);
        return buildResponse(query, { rcode: Rcode.servFail });
      case 'forward': {
        const result = await forwardQuery(raw, route.servers, transport, config.readTimeoutMs, signal);
        if (result.ok) return result.answer;
        failures.log(`skydns: ${result.message}`);
        return buildResponse(query, { rcode: Rcode.servFail });
      }
      case 'local': {
        const lookup = await resolver.lookup(route.question.name, signal);
        if (lookup.kind === 'error') failures.log(`skydns: ${lookup.message}`);
        else failures.reset();
        return buildLocalResponse(query, route.question, lookup, zone(), config.roundRobin ? rotation++ : 0);
      }
    }
  };

  const handle = async (raw: Buffer, transport: Transport): Promise<Buffer | undefined> => {
    let query: DecodedPacket;
    try {
      query = decode(raw);
    } catch {
      return undefined; // not a DNS message: dropped, as miekg/dns does
    }
    if (query.type === 'response') return undefined;
    const reply = await answer(query, raw, transport);
    if (Buffer.isBuffer(reply)) return reply;
    const bytes = encode(reply);
    return transport === 'udp' && bytes.length > readUdpLimit(query) ? encode(buildTruncated(reply)) : bytes;
  };

  const addr = chooseBindAddress(config.addr, ctx.hostAddress);
  let server;
  try {
    server = await startDnsServer(addr, handle, (m) => log(`skydns: ${m}`));
  } catch (err) {
    log(`skydns: ${messageOf(err)}`);
    return 1;
  }
  log(`skydns: ready for queries on ${settings.domain} for tcp://${formatHostPort(addr)} [rcache 0]`);
  log(`skydns: ready for queries on ${settings.domain} for udp://${formatHostPort(addr)} [rcache 0]`);
  try {
    if (!signal.aborted) await once(signal, 'abort');
  } finally {
    await server.close();
  }
  return 0;
};
