/**
 * Label and field selectors (k8s.io/apimachinery labels.Parse and fields.ParseSelector). Pure.
 * Labels: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x,y)`, `a`, `!a`, `a>1`, `a<1`, joined by commas.
 * Fields: `path=value`, `path==value`, `path!=value`, joined by commas; `\,` `\=` `\\` escape. Any dotted path of
 * the object is accepted (the real apiserver allows a per-kind subset; everything it allows works here).
 */
import { badRequest } from './status.ts';
import { asStringMap, readPath } from './json.ts';
import type { KubeObject } from './json.ts';

export type LabelOperator = 'in' | 'notin' | 'exists' | '!exists' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly op: LabelOperator;
  readonly values: readonly string[];
}

export interface FieldRequirement {
  readonly path: string;
  readonly equal: boolean;
  readonly value: string;
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;
const VALUE = /^([a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?)?$/;

/** Splits on commas outside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

export function parseLabelSelector(text: string): LabelRequirement[] {
  if (text.trim() === '') return [];
  return splitTopLevel(text).map((raw) => parseLabelRequirement(raw.trim(), text));
}

function parseLabelRequirement(part: string, whole: string): LabelRequirement {
  const fail = (why: string) => badRequest(`unable to parse requirement: ${why} in label selector "${whole}"`);
  const checkKey = (key: string): string => {
    if (!KEY.test(key)) throw fail(`invalid label key "${key}"`);
    return key;
  };
  const checkValue = (value: string): string => {
    if (!VALUE.test(value) || value.length > 63) throw fail(`invalid label value "${value}"`);
    return value;
  };
  let m = /^!\s*(\S+)$/.exec(part);
  if (m) return { key: checkKey(m[1] ?? ''), op: '!exists', values: [] };
  m = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/.exec(part);
  if (m) {
    const values = (m[3] ?? '').split(',').map((v) => checkValue(v.trim()));
    return { key: checkKey(m[1] ?? ''), op: m[2] === 'in' ? 'in' : 'notin', values };
  }
  m = /^([^=!<>\s]+)\s*(==|=|!=|<|>)\s*(\S*)$/.exec(part);
  if (m) {
    const key = checkKey(m[1] ?? '');
    const value = m[3] ?? '';
    const op = m[2] ?? '';
    if (op === '<' || op === '>') {
      if (!/^-?\d+$/.test(value)) throw fail(`for 'gt', 'lt' operators, the value must be an integer`);
      return { key, op: op === '>' ? 'gt' : 'lt', values: [value] };
    }
    return { key, op: op === '!=' ? 'notin' : 'in', values: [checkValue(value)] };
  }
  if (KEY.test(part)) return { key: part, op: 'exists', values: [] };
  throw fail(`"${part}" is not a requirement`);
}

export function matchesLabels(requirements: readonly LabelRequirement[], labels: Readonly<Record<string, string>>): boolean {
  return requirements.every((r) => {
    const value = Object.hasOwn(labels, r.key) ? labels[r.key] : undefined;
    switch (r.op) {
      case 'in':
        return value !== undefined && r.values.includes(value);
      case 'notin':
        return value === undefined || !r.values.includes(value);
      case 'exists':
        return value !== undefined;
      case '!exists':
        return value === undefined;
      case 'gt':
      case 'lt': {
        if (value === undefined || !/^-?\d+$/.test(value)) return false;
        const diff = Number(value) - Number(r.values[0]);
        return r.op === 'gt' ? diff > 0 : diff < 0;
      }
    }
  });
}

export function parseFieldSelector(text: string): FieldRequirement[] {
  if (text.trim() === '') return [];
  const out: FieldRequirement[] = [];
  for (const part of splitEscaped(text, ',')) {
    const m = /^([^=!\s]+)\s*(==|=|!=)(.*)$/s.exec(part.trim());
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    out.push({ path: m[1] ?? '', equal: m[2] !== '!=', value: unescapeField(m[3] ?? '') });
  }
  return out;
}

/** Splits on `sep` not preceded by a backslash escape; escapes are kept for unescapeField. */
function splitEscaped(text: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + (text[i + 1] ?? '');
      i++;
    } else if (ch === sep) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

function unescapeField(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}

/** Field paths that name something other than the dotted path, or have a value when absent. */
const FIELD_ALIASES: Record<string, Record<string, string>> = {
  Event: { source: 'source.component' },
};
const FIELD_DEFAULTS: Record<string, string> = { 'spec.unschedulable': 'false' };

export function readFieldValue(obj: KubeObject, path: string): string {
  const real = FIELD_ALIASES[obj.kind ?? '']?.[path] ?? path;
  const value = readPath(obj, real);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return FIELD_DEFAULTS[path] ?? '';
}

export function matchesFields(requirements: readonly FieldRequirement[], obj: KubeObject): boolean {
  return requirements.every((r) => (readFieldValue(obj, r.path) === r.value) === r.equal);
}

export interface ObjectFilter {
  readonly labels: readonly LabelRequirement[];
  readonly fields: readonly FieldRequirement[];
}

export function parseObjectFilter(labelSelector: string | null, fieldSelector: string | null): ObjectFilter {
  return { labels: parseLabelSelector(labelSelector ?? ''), fields: parseFieldSelector(fieldSelector ?? '') };
}

export function matchesFilter(filter: ObjectFilter, obj: KubeObject): boolean {
  return matchesLabels(filter.labels, asStringMap(obj.metadata.labels)) && matchesFields(filter.fields, obj);
}

/** `a=b,c=d` with keys sorted (labels.FormatLabels without the `<none>`). */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',');
}
