/**
 * meta.k8s.io Table responses (what kubectl asks for with `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`).
 * Rows carry the object as `includeObject` says: Metadata (the default, a PartialObjectMetadata), Object or None.
 * Pure: `now` is given.
 */
import { formatAge } from './age.ts';
import { asArray, asNumber, asObject, asString } from './json.ts';
import type { JsonObject, KubeObject } from './json.ts';
import { nodePrinter, podPrinter, replicationControllerPrinter, servicePrinter } from './table-printers.ts';
import type { Cell, ColumnDefinition, Printer } from './table-printers.ts';

export const IncludeObject = { none: 'None', metadata: 'Metadata', object: 'Object' } as const;
export type IncludeObject = (typeof IncludeObject)[keyof typeof IncludeObject];

export function parseIncludeObject(value: string | null): IncludeObject {
  return value === 'None' || value === 'Object' ? value : IncludeObject.metadata;
}

const NAME: ColumnDefinition = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 };
const AGE: ColumnDefinition = { name: 'Age', type: 'string', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 };
const text = (name: string, description: string, priority = 0): ColumnDefinition => ({ name, type: 'string', format: '', description, priority });

/** `ip:port,...`, at most three, then ` + N more...` (printers.go formatEndpoints). */
export function formatEndpoints(obj: KubeObject): string {
  const subsets = asArray(obj['subsets']).map(asObject);
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  let more = false;
  const add = (entry: string): void => {
    if (list.length === 3) more = true;
    else list.push(entry);
  };
  for (const subset of subsets) {
    const addresses = asArray(subset['addresses']).map(asObject);
    const ports = asArray(subset['ports']).map(asObject);
    if (ports.length === 0) {
      count += addresses.length;
      addresses.forEach((a) => add(asString(a['ip']) ?? ''));
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      addresses.forEach((a) => add(`${asString(a['ip']) ?? ''}:${asNumber(port['port']) ?? 0}`));
    }
  }
  return more ? `${list.join(',')} + ${count - 3} more...` : list.join(',');
}

const endpointsPrinter: Printer = {
  columns: [NAME, text('Endpoints', 'Endpoints of the service'), AGE],
  cells: (obj, now) => [obj.metadata.name ?? '', formatEndpoints(obj), formatAge(obj.metadata.creationTimestamp, now)],
};

const namespacePrinter: Printer = {
  columns: [NAME, text('Status', 'The status of the namespace'), AGE],
  cells: (obj, now) => [obj.metadata.name ?? '', asString(asObject(obj['status'])['phase']) ?? '', formatAge(obj.metadata.creationTimestamp, now)],
};

const eventPrinter: Printer = {
  columns: [
    text('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
    text('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
    text('Reason', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    text('Object', 'The object that this event is about.'),
    text('Subobject', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.', 1),
    text('Source', 'The component reporting this event. Should be a short machine understandable string.', 1),
    text('Message', 'A human-readable description of the status of this operation.'),
    text('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1),
    text('Count', 'The number of times this event has occurred.', 1),
    { ...NAME, priority: 1 },
  ],
  cells(obj, now) {
    const involved = asObject(obj['involvedObject']);
    const source = asObject(obj['source']);
    const first = obj['firstTimestamp'] ? formatAge(obj['firstTimestamp'], now) : formatAge(obj['eventTime'], now);
    const last = obj['lastTimestamp'] ? formatAge(obj['lastTimestamp'], now) : first;
    const kind = (asString(involved['kind']) ?? '').toLowerCase();
    const target = asString(involved['name']) ? `${kind}/${asString(involved['name'])}` : kind;
    const component = asString(source['component']) || asString(obj['reportingComponent']) || '';
    const host = asString(source['host']) || asString(obj['reportingInstance']) || '';
    return [
      last, asString(obj['type']) ?? '', asString(obj['reason']) ?? '', target, asString(involved['fieldPath']) ?? '',
      host === '' ? component : `${component}, ${host}`, (asString(obj['message']) ?? '').trim(), first,
      asNumber(obj['count']) ?? 0, obj.metadata.name ?? '',
    ];
  },
};

/** What the real apiserver shows for kinds without a printer. */
const defaultPrinter: Printer = {
  columns: [NAME, { name: 'Created At', type: 'date', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 }],
  cells: (obj) => [obj.metadata.name ?? '', obj.metadata.creationTimestamp ?? ''],
};

const PRINTERS: Record<string, Printer> = {
  Node: nodePrinter,
  Pod: podPrinter,
  ReplicationController: replicationControllerPrinter,
  Service: servicePrinter,
  Endpoints: endpointsPrinter,
  Namespace: namespacePrinter,
  Event: eventPrinter,
};

export interface TableOptions {
  readonly kind: string;
  readonly includeObject: IncludeObject;
  readonly now: Date;
  readonly resourceVersion: string | undefined;
  /** meta.k8s.io version the client asked for. */
  readonly apiVersion: 'v1' | 'v1beta1';
  readonly selfLink?: string;
}

function rowObject(obj: KubeObject, include: IncludeObject, kind: string): JsonObject | undefined {
  if (include === IncludeObject.none) return undefined;
  if (include === IncludeObject.object) return { kind, apiVersion: 'v1', ...obj };
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function buildTable(objects: readonly KubeObject[], opts: TableOptions): JsonObject {
  const printer = PRINTERS[opts.kind] ?? defaultPrinter;
  const rows = objects.map((obj) => {
    const cells: Cell[] = printer.cells(obj, opts.now);
    const conditions = printer.conditions?.(obj);
    const object = rowObject(obj, opts.includeObject, opts.kind);
    return { cells, ...(conditions ? { conditions } : {}), ...(object ? { object } : {}) };
  });
  const metadata: JsonObject = {};
  if (opts.resourceVersion !== undefined) metadata['resourceVersion'] = opts.resourceVersion;
  if (opts.selfLink !== undefined) metadata['selfLink'] = opts.selfLink;
  return { kind: 'Table', apiVersion: `meta.k8s.io/${opts.apiVersion}`, metadata, columnDefinitions: printer.columns, rows };
}
