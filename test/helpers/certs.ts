/**
 * Certificates for TLS tests, made with the `openssl` CLI (EC P-256 keys, so a whole lab's worth takes well under a
 * second per host): one CA, one server certificate per host (serverAuth + clientAuth, since an etcd member also
 * dials its peers with it) whose SAN is the host's IP address, and one client certificate for ferry and the
 * control plane (apiserver, flanneld, the lab's own seeding).
 *
 * Layout of the folder (what src/lab/setup/tls.ts reads as `LabTlsOptions.dir`):
 *   ca.pem ca-key.pem client.pem client-key.pem hosts/<address>/server.pem hosts/<address>/server-key.pem
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCerts {
  readonly dir: string;
  readonly ca: string;
  readonly caKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  serverCert(address: string): string;
  serverKey(address: string): string;
}

async function openssl(args: readonly string[], cwd: string): Promise<void> {
  await run('openssl', [...args], { cwd, timeout: 30_000 });
}

async function newKey(path: string, cwd: string): Promise<void> {
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path], cwd);
}

/** Sign a CSR for `cn` with the CA at `caDir`, with the given extensions (an openssl extfile's lines). */
async function issue(o: { cwd: string; ca: string; caKey: string; key: string; out: string; cn: string; ext: readonly string[]; days: number }): Promise<void> {
  const csr = `${o.out}.csr`;
  const ext = `${o.out}.ext`;
  writeFileSync(join(o.cwd, ext), `${o.ext.join('\n')}\n`);
  await openssl(['req', '-new', '-key', o.key, '-subj', `/CN=${o.cn}`, '-out', csr], o.cwd);
  await openssl(['x509', '-req', '-in', csr, '-CA', o.ca, '-CAkey', o.caKey, '-CAcreateserial', '-days', String(o.days), '-sha256', '-extfile', ext, '-out', o.out], o.cwd);
}

/**
 * A CA plus certificates for `addresses`, in `dir` (default a fresh temp folder). `cn` names the CA, so two calls
 * make two CAs that do not trust each other (for "wrong CA" cases).
 */
export async function makeTestCerts(addresses: readonly string[], o: { readonly dir?: string; readonly cn?: string } = {}): Promise<TestCerts> {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'ferry-certs-'));
  mkdirSync(dir, { recursive: true });
  const days = 2;
  await newKey('ca-key.pem', dir);
  await openssl(['req', '-x509', '-new', '-key', 'ca-key.pem', '-subj', `/CN=${o.cn ?? 'ferry test CA'}`, '-days', String(days), '-sha256', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'ca.pem'], dir);
  const common = { cwd: dir, ca: 'ca.pem', caKey: 'ca-key.pem', days };
  await newKey('client-key.pem', dir);
  await issue({ ...common, key: 'client-key.pem', out: 'client.pem', cn: 'ferry-client', ext: ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth'] });
  for (const address of addresses) {
    const hostDir = join('hosts', address);
    mkdirSync(join(dir, hostDir), { recursive: true });
    await newKey(join(hostDir, 'server-key.pem'), dir);
    await issue({
      ...common,
      key: join(hostDir, 'server-key.pem'),
      out: join(hostDir, 'server.pem'),
      cn: address,
      // 127.0.0.1 too: with --peer-client-cert-auth, etcd 3.4 checks a peer's certificate against the address the
      // connection comes from, and on this machine every lab host dials from 127.0.0.1 (the kernel's choice of
      // source address on lo), not from its own 127.x.y.z.
      ext: ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth,clientAuth', `subjectAltName=IP:${address},IP:127.0.0.1`],
    });
  }
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca-key.pem'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client-key.pem'),
    serverCert: (address) => join(dir, 'hosts', address, 'server.pem'),
    serverKey: (address) => join(dir, 'hosts', address, 'server-key.pem'),
  };
}
