/**
 * Which etcd the lab runs (`ferry lab up --etcd 3.4|3.3|DIR`): this machine's own (Debian bookworm's 3.4), etcd 3.3
 * from Debian bullseye's packages, or a folder holding `etcd` and `etcdctl` of any version. The lab reads the
 * version from the binary itself (`etcd --version`), never from the name it was asked for.
 *
 * etcd 3.3.25 is what Debian 11 (bullseye) ships as `etcd-server` and `etcd-client`. It is fetched from the same
 * Debian archive this machine uses, with a private apt state (a bullseye source entry in a temporary folder,
 * `apt-get update` and `apt-get download` there), unpacked with `dpkg -x` into ferry's cache
 * (home.ts resolveCacheDir) and reused from there: nothing else on the machine changes.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { FerryError, inputError, messageOf } from '../../errors.ts';
import { resolveCacheDir, type Env } from '../../home.ts';
import { DEFAULT_LAB_BINARIES, type LabBinaries } from './host-root.ts';
import { isExecutable, readEtcdBinaryVersion } from '../../adapters/etcd/local-binary.ts';

const run = promisify(execFile);

/** The release Debian bullseye ships (etcd-server and etcd-client 3.3.25+dfsg-6+b6 on the day this was written). */
export const BULLSEYE_ETCD = { minor: '3.3', version: '3.3.25', packages: ['etcd-server', 'etcd-client'] } as const;
const DEBIAN_ARCHIVE = 'http://deb.debian.org/debian';

export interface LabEtcd extends LabBinaries {
  /** What `etcd --version` says, e.g. 3.3.25. */
  readonly version: string;
}

async function fromFolder(dir: string): Promise<LabEtcd> {
  const etcd = join(dir, 'etcd');
  const etcdctl = join(dir, 'etcdctl');
  for (const f of [etcd, etcdctl]) {
    if (!(await isExecutable(f))) throw inputError('LAB_ETCD_BINARY', `--etcd ${dir}: ${f} is not there or not executable`, { hint: 'the folder must hold the etcd and etcdctl binaries of one release', subjects: { file: f } });
  }
  return { etcd, etcdctl, version: await readEtcdBinaryVersion(etcd) };
}

/** Fetch bullseye's etcd 3.3 into `target` (a folder that does not exist yet). */
async function fetchBullseyeEtcd(target: string, log: (line: string) => void): Promise<void> {
  // The work folder sits beside the target, so that the final rename stays on one file system.
  await mkdir(resolve(target, '..'), { recursive: true });
  const work = await mkdtemp(join(resolve(target, '..'), '.fetch-'));
  try {
    const lists = join(work, 'lists');
    await mkdir(join(lists, 'partial'), { recursive: true });
    await mkdir(join(work, 'cache'), { recursive: true });
    await writeFile(join(work, 'sources.list'), `deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${DEBIAN_ARCHIVE} bullseye main\n`);
    const apt = [
      '-o', `Dir::Etc::SourceList=${join(work, 'sources.list')}`,
      '-o', 'Dir::Etc::SourceParts=/dev/null',
      '-o', `Dir::State::Lists=${lists}`,
      '-o', `Dir::Cache=${join(work, 'cache')}`,
      '-o', 'Dir::State::status=/dev/null',
      '-o', 'Debug::NoLocking=1',
      '-o', 'APT::Sandbox::User=root',
    ];
    log(`fetching etcd ${BULLSEYE_ETCD.version} from Debian bullseye (${BULLSEYE_ETCD.packages.join(', ')}) into ${target}`);
    await run('apt-get', [...apt, '-q', 'update'], { cwd: work, timeout: 300_000 });
    await run('apt-get', [...apt, '-q', 'download', ...BULLSEYE_ETCD.packages], { cwd: work, timeout: 300_000 });
    const debs = (await readdir(work)).filter((f) => f.endsWith('.deb'));
    if (debs.length !== BULLSEYE_ETCD.packages.length) throw new Error(`expected ${BULLSEYE_ETCD.packages.length} packages, found ${debs.join(', ') || 'none'}`);
    const unpacked = join(work, 'root');
    for (const deb of debs) await run('dpkg', ['-x', join(work, deb), unpacked], { timeout: 120_000 });
    const bin = join(unpacked, 'usr', 'bin');
    const version = await readEtcdBinaryVersion(join(bin, 'etcd'));
    if (!version.startsWith(`${BULLSEYE_ETCD.minor}.`)) throw new Error(`the package holds etcd ${version}, not ${BULLSEYE_ETCD.minor}`);
    await rename(bin, target).catch(async (err: unknown) => {
      // Another lab up fetched it at the same time: theirs is as good.
      if (!(await isExecutable(join(target, 'etcd')))) throw err;
    });
  } catch (err) {
    throw new FerryError('LAB_ETCD_FETCH_FAILED', `could not fetch etcd ${BULLSEYE_ETCD.version} from Debian bullseye: ${messageOf(err)}`, {
      hint: `it needs apt-get and dpkg (Debian) and a route to ${DEBIAN_ARCHIVE}; or put etcd and etcdctl of 3.3 in a folder and pass --etcd DIR`,
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The etcd the lab runs for `--etcd SPEC`: undefined or `3.4` this machine's (/usr/bin), `3.3` bullseye's (fetched
 * once into the cache), a path a folder of etcd + etcdctl. The version is read from the binary and checked against
 * the one asked for.
 */
export async function resolveLabEtcd(spec: string | undefined, env: Env = process.env, log: (line: string) => void = () => undefined): Promise<LabEtcd> {
  if (spec !== undefined && spec.includes('/')) return fromFolder(resolve(spec));
  if (spec === undefined || spec === '3.4') {
    const version = await readEtcdBinaryVersion(DEFAULT_LAB_BINARIES.etcd).catch((err: unknown) => {
      throw new FerryError('LAB_ETCD_BINARY', `this machine's etcd (${DEFAULT_LAB_BINARIES.etcd}) cannot be run: ${messageOf(err)}`, { hint: 'install Debian\'s etcd-server and etcd-client (apt-get install etcd-server etcd-client)' });
    });
    if (spec === '3.4' && !version.startsWith('3.4.')) {
      throw inputError('LAB_ETCD_VERSION', `--etcd 3.4: this machine's etcd is ${version}`, { hint: 'give a folder holding etcd 3.4 (--etcd DIR)' });
    }
    return { ...DEFAULT_LAB_BINARIES, version };
  }
  if (spec === BULLSEYE_ETCD.minor || spec === BULLSEYE_ETCD.version) {
    const dir = join(resolveCacheDir(env), `etcd-${BULLSEYE_ETCD.version}`);
    if (!(await isExecutable(join(dir, 'etcd')))) await fetchBullseyeEtcd(dir, log);
    return fromFolder(dir);
  }
  throw inputError('LAB_ETCD_VERSION', `--etcd ${spec}: the lab runs etcd 3.4 (this machine's), 3.3 (Debian bullseye's ${BULLSEYE_ETCD.version}) or the binaries in a folder`, {
    hint: 'ferry lab up --etcd 3.3, or --etcd /path/to/folder-with-etcd-and-etcdctl',
  });
}
