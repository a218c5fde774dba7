/**
 * The DNS step's backup (runbook phase 6: "back up the current DNS config first"): the service and each controller
 * exactly as the apiserver returned them, one JSON file per object under `<run>/dns-backup/` (each can be given to
 * `kubectl create -f` / `kubectl replace -f` by hand), and `index.json` naming them, written last. A backup with an
 * index is complete and is never written again: a resumed or retried step restores to what was there before the
 * FIRST attempt. Without an index, nothing was changed yet and the backup is simply taken again.
 */
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurably } from './durable-file.ts';
import { FerryError, messageOf } from '../errors.ts';
import type { Deployment, ReplicationController, Service } from '../kube/objects.ts';

export const DNS_BACKUP_DIR = 'dns-backup';
export const DNS_BACKUP_FORMAT = 1;

export type BackedUpController =
  | { readonly base: string; readonly kind: 'ReplicationController'; readonly object: ReplicationController }
  | { readonly base: string; readonly kind: 'Deployment'; readonly object: Deployment };

export interface DnsBackup {
  readonly apiserver: string;
  readonly namespace: string;
  readonly service: Service;
  /** In the order of the step's `controllers`. */
  readonly controllers: readonly BackedUpController[];
}

interface IndexFile {
  readonly kind: 'ferry-dns-backup';
  readonly formatVersion: number;
  readonly apiserver: string;
  readonly namespace: string;
  readonly service: string;
  readonly controllers: readonly { readonly base: string; readonly kind: BackedUpController['kind']; readonly file: string }[];
}

function fileOf(kind: 'Service' | BackedUpController['kind'], name: string | undefined): string {
  const prefix = kind === 'Service' ? 'service' : kind === 'Deployment' ? 'deployment' : 'rc';
  return `${prefix}.${name ?? 'unnamed'}.json`;
}

/** Metadata the apiserver sets; an object re-created from the backup must not carry it. */
const SERVER_SET_METADATA = ['resourceVersion', 'uid', 'selfLink', 'creationTimestamp', 'generation', 'managedFields', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const;

/** A backed-up object as a fresh object to create (server-set metadata and status dropped). Pure. */
export function buildFreshObject<T extends { metadata?: Record<string, unknown>; status?: unknown; [key: string]: unknown }>(o: T): T {
  const copy = structuredClone(o);
  const meta = copy.metadata;
  if (meta !== undefined) for (const k of SERVER_SET_METADATA) delete meta[k];
  delete copy.status;
  return copy;
}

function backupError(dir: string, what: string, err: unknown): FerryError {
  return new FerryError('DNS_BACKUP_FAILED', `DNS backup in ${dir}: ${what}: ${messageOf(err)}`, {
    subjects: { file: dir },
    hint: "check the run's folder is writable and not full",
    cause: err,
  });
}

/** Writes the objects, then the index. Refuses to overwrite a complete backup. Returns the files written. */
export function writeDnsBackup(runDir: string, backup: DnsBackup): string[] {
  const dir = join(runDir, DNS_BACKUP_DIR);
  if (existsSync(join(dir, 'index.json'))) {
    throw new FerryError('DNS_BACKUP_EXISTS', `a DNS backup is already in ${dir}: it is never overwritten`, {
      subjects: { file: dir },
      hint: 'this is a bug in the caller: read the backup instead',
    });
  }
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const files: string[] = [];
    const serviceFile = fileOf('Service', backup.service.metadata?.name);
    writeFileDurably(join(dir, serviceFile), `${JSON.stringify(backup.service, null, 2)}\n`);
    files.push(serviceFile);
    const controllers = backup.controllers.map((c) => {
      const file = fileOf(c.kind, c.object.metadata?.name);
      writeFileDurably(join(dir, file), `${JSON.stringify(c.object, null, 2)}\n`);
      files.push(file);
      return { base: c.base, kind: c.kind, file };
    });
    const index: IndexFile = { kind: 'ferry-dns-backup', formatVersion: DNS_BACKUP_FORMAT, apiserver: backup.apiserver, namespace: backup.namespace, service: serviceFile, controllers };
    writeFileDurably(join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
    files.push('index.json');
    return files.map((f) => join(dir, f));
  } catch (err) {
    throw backupError(dir, 'writing', err);
  }
}

/** The complete backup of this run, or undefined when none was finished. */
export function readDnsBackup(runDir: string): DnsBackup | undefined {
  const dir = join(runDir, DNS_BACKUP_DIR);
  const indexPath = join(dir, 'index.json');
  if (!existsSync(indexPath)) return undefined;
  try {
    const index = JSON.parse(readFileSync(indexPath, 'utf8')) as IndexFile;
    if (index.kind !== 'ferry-dns-backup' || index.formatVersion !== DNS_BACKUP_FORMAT) throw new Error(`not a ferry DNS backup of format ${DNS_BACKUP_FORMAT}`);
    const read = (file: string): unknown => JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown;
    return {
      apiserver: index.apiserver,
      namespace: index.namespace,
      service: read(index.service) as Service,
      controllers: index.controllers.map((c) =>
        c.kind === 'Deployment' ? { base: c.base, kind: 'Deployment' as const, object: read(c.file) as Deployment } : { base: c.base, kind: 'ReplicationController' as const, object: read(c.file) as ReplicationController },
      ),
    };
  } catch (err) {
    throw backupError(dir, 'reading', err);
  }
}
