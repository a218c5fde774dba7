/**
 * One A query to one DNS server (the DNS step's gate asks skydns, through its service's cluster IP, for
 * `kubernetes.default.svc.<domain>`). node's c-ares resolver, with one try bounded by `timeoutMs`, and a guard
 * timer that cancels the query in case c-ares overruns. c-ares errors are translated here, once.
 */
import { promises as dnsPromises } from 'node:dns';
import { isIP } from 'node:net';
import { FerryError, inputError, messageOf } from '../errors.ts';

/** c-ares codes that mean the server answered: the name has no A record (or the server refused to say). */
const ANSWERED_NO = new Set(['ENOTFOUND', 'ENODATA']);

/** The addresses of `name`'s A records, as answered by `server` (an IP, or IP:port; port 53 by default). */
export async function resolveA(server: string, name: string, timeoutMs: number): Promise<string[]> {
  const host = server.replace(/^\[(.*)\](:\d+)?$/, '$1').replace(/^([^:]+):\d+$/, '$1');
  if (isIP(host) === 0) {
    throw inputError('DNS_SERVER_INVALID', `DNS server ${JSON.stringify(server)} is not an IP address (optionally with :port)`, {
      hint: 'give the DNS service cluster IP, e.g. 172.16.40.1',
    });
  }
  const resolver = new dnsPromises.Resolver({ timeout: Math.max(1, Math.round(timeoutMs)), tries: 1 });
  // setServers takes `ip` or `ip:port` (IPv6 as `[ip]:port`).
  resolver.setServers([server]);
  let guard: NodeJS.Timeout | undefined;
  try {
    const answer = resolver.resolve4(name);
    const overrun = new Promise<never>((_, reject) => {
      guard = setTimeout(() => {
        resolver.cancel();
        reject(Object.assign(new Error('query cancelled'), { code: 'ETIMEOUT' }));
      }, timeoutMs + 1000);
    });
    return await Promise.race([answer, overrun]);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const c = typeof code === 'string' ? code : 'EUNKNOWN';
    if (ANSWERED_NO.has(c)) {
      throw new FerryError('DNS_NAME_NOT_FOUND', `DNS server ${server} has no A record for ${name} (${c})`, {
        retryable: true,
        subjects: { server, name },
        hint: 'kube2sky writes the records into etcd and skydns reads them: are both running, on the same etcd?',
      });
    }
    const timedOut = c === 'ETIMEOUT' || c === 'ECANCELLED';
    throw new FerryError('DNS_QUERY_FAILED', `DNS query for ${name} to ${server} failed: ${timedOut ? `no answer within ${timeoutMs} ms` : `${c} ${messageOf(err)}`}`, {
      retryable: true,
      subjects: { server, name },
      hint: `is the DNS service answering? try \`dig @${host} ${name}\` from a node`,
    });
  } finally {
    if (guard !== undefined) clearTimeout(guard);
  }
}
