/**
 * Entry point of the lab's kube-apiserver stand-in (lab-bin/kube-apiserver). Started by a lab host's
 * `kube-apiserver` unit as `kube-apiserver $ETCD_SERVERS $SERVICE_CLUSTER_IP_RANGE $KUBE_APISERVER_OPTS
 * $INSECURE_BIND_ADDRESS $INSECURE_PORT`. `--version` prints `Kubernetes v<version>`, the version being the name of
 * the directory it was started from (through symlinks), as docs/design/lab-conventions.md §5 say.
 * SIGTERM/SIGINT: stop listening, end watches, close etcd, exit 0.
 */
import { readFileSync } from 'node:fs';
import { readProgramVersion } from '../common/version.ts';
import { startMasterLoop } from './bootstrap.ts';
import { buildExclusive } from './context.ts';
import type { ApiserverContext } from './context.ts';
import { EtcdStore } from './etcd-store.ts';
import { parseApiserverFlags } from './flags.ts';
import { cacheHealthCheck } from './health.ts';
import { parseCidr } from './ip-range.ts';
import { startApiserverHttp } from './server.ts';

const stamp = (): string => new Date().toISOString();

async function main(): Promise<void> {
  const parsed = parseApiserverFlags(process.argv.slice(2));
  const version = readProgramVersion(process.argv[1]);
  if (parsed.showVersion) {
    process.stdout.write(`Kubernetes v${version}\n`);
    process.exit(0);
  }
  for (const warning of parsed.warnings) process.stderr.write(`${stamp()} warning: ${warning}\n`);
  const options = parsed.options;
  const range = options === undefined ? undefined : parseCidr(options.serviceClusterIpRange);
  if (options === undefined || range === undefined) {
    for (const error of parsed.errors) process.stderr.write(`${stamp()} error: ${error}\n`);
    process.exit(1);
  }
  const etcdTls = options.etcdTls;
  const credentials =
    etcdTls?.ca === undefined
      ? undefined
      : { rootCertificate: readFileSync(etcdTls.ca), ...(etcdTls.cert !== undefined && etcdTls.key !== undefined ? { certChain: readFileSync(etcdTls.cert), privateKey: readFileSync(etcdTls.key) } : {}) };
  const store = new EtcdStore({ endpoints: options.etcdServers, ...(credentials !== undefined ? { credentials } : {}) });
  const advertiseIp = options.insecureBindAddress === '0.0.0.0' ? '127.0.0.1' : options.insecureBindAddress;
  const ctx: ApiserverContext = {
    store,
    prefix: options.etcdPrefix,
    serviceRange: range,
    version,
    serverAddress: `${advertiseIp}:${options.insecurePort}`,
    now: () => new Date(),
    exclusive: buildExclusive(),
  };
  const etcdCheck = cacheHealthCheck({ name: 'etcd', run: () => store.isHealthy(2000) }, 1000);
  const server = await startApiserverHttp(ctx, {
    host: options.insecureBindAddress,
    port: options.insecurePort,
    checks: [etcdCheck],
    log: (line) => process.stdout.write(`${stamp()} ${line}\n`),
  });
  const secure = options.secure;
  const secureServer =
    secure === undefined
      ? undefined
      : await startApiserverHttp(ctx, {
          host: secure.bindAddress,
          port: secure.port,
          checks: [etcdCheck],
          log: (line) => process.stdout.write(`${stamp()} ${line}\n`),
          tls: { cert: readFileSync(secure.certFile), key: readFileSync(secure.keyFile) },
        });
  if (secure !== undefined) process.stdout.write(`${stamp()} serving securely on https://${secure.bindAddress}:${secure.port}\n`);
  process.stdout.write(`${stamp()} kube-apiserver v${version} serving http://${options.insecureBindAddress}:${options.insecurePort} on etcd ${options.etcdServers.join(',')} prefix ${options.etcdPrefix}\n`);
  const master = startMasterLoop(ctx, {
    ip: advertiseIp,
    port: options.insecurePort,
    logError: (line) => process.stderr.write(`${stamp()} ${line}\n`),
  });
  const shutdown = (signal: string): void => {
    process.stdout.write(`${stamp()} received ${signal}, shutting down\n`);
    master.stop();
    server.close();
    server.closeAllConnections();
    secureServer?.close();
    secureServer?.closeAllConnections();
    store.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`${stamp()} kube-apiserver failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
