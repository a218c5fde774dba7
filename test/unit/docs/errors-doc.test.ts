/**
 * docs/errors.md must document every error code ferry can raise, and only those.
 *
 * The codes are collected from src/ with the TypeScript parser (not guessed, not grepped):
 *  - the first argument of `new FerryError(…)`, `inputError(…)`, `super(…)` in a FerryError subclass, and of any
 *    helper that forwards its `code` parameter to one of them (`fsError('JOURNAL_OPEN_FAILED', …)`) — in the file
 *    that declares the helper and in files that import it by name, so an unrelated `fail(…)` elsewhere is not one;
 *  - both branches of `cond ? 'CODE_A' : 'CODE_B'`, and every `return` of a same-file function called as the code
 *    argument (`codeForStatus(res.status)`), when each of them is itself a literal, constant or code table entry;
 *  - the values of code tables (`export const EtcdErrorCode = {…} as const`), imported where they are exported;
 *  - `{ code: 'X', message }` records that become errors elsewhere (the runner's ErrorRecords, lab problems).
 * A code argument that is neither a literal, a constant, a code table entry nor a known relay fails the test, so a
 * new way of building codes cannot slip past it. When this test fails, it names the codes to add or remove.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { EtcdErrorCode } from '../../../src/adapters/etcd/errors.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DOC = join(ROOT, 'docs', 'errors.md');

/** A stable error code: UPPER_SNAKE (the runner's BUG / UNEXPECTED / INTERRUPTED are single words). */
const CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
/** Calls whose first argument is an error code. */
const RAISERS = new Set(['FerryError', 'inputError']);
/** Only the FerryError subclasses' `super(CODE, …)` calls count; other classes' super calls are not codes. */
const ERROR_BASES = new Set(['FerryError']);
/**
 * Code arguments that are computed, and where the codes they carry are collected instead. Keep this short: each
 * entry must say why its codes are already in the set.
 */
const RELAYS: Readonly<Record<string, string>> = {
  'src/adapters/etcd/errors.ts rule.code': 'a rule of RULES: its codes are the EtcdErrorCode table',
  'src/observe/etcd-versions.ts choice.code': 'a refusal of chooseEtcdMethod (src/etcd/method.ts): collected as { code, message } records there',
  'src/plan/build.ts choice.code': 'a refusal of chooseEtcdMethod (src/etcd/method.ts): collected as { code, message } records there',
  'src/lab/setup/up.ts first.code': 'a LabProblem from validateLabInventory: collected as { code, message } records',
  'src/lab/supervisor/supervisor-client.ts e.code': "the lab supervisor's own FerryError, relayed over its socket: raised in src/lab",
  'src/cli/commands/preflight.ts err.code': 'asPreflightRefusal() keeps the code of a FerryError raised while reading the live cluster (raised in src/etcd, src/kube, src/master), changing only its exit code',
  'src/repoint/changes.ts err.code': 'inFile() re-raises a FerryError of the src/sysconfig helpers it wraps, naming the file: raised in src/sysconfig',
  'src/adapters/console/domeos-envelope.ts buildConsoleErrorCode(envelope.resultCode)':
    "CONSOLE_<NAME> for each DomeOS ResultStat in RESULT_NAMES (the console's own codes), else CONSOLE_ERROR: documented as a family in the CONSOLE section",
};

interface Site {
  readonly code: string;
  readonly where: string;
}

interface Scan {
  readonly sites: Site[];
  readonly unresolved: string[];
  /** Files exporting a code table, with the table names, to import. */
  readonly exportedTables: Map<string, string[]>;
}

function listTsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return listTsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function unwrap(e: ts.Expression): ts.Expression {
  while (ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
}

function literalText(e: ts.Expression | undefined): string | undefined {
  if (e === undefined) return undefined;
  const u = unwrap(e);
  return ts.isStringLiteral(u) || ts.isNoSubstitutionTemplateLiteral(u) ? u.text : undefined;
}

function calleeName(e: ts.Expression): string | undefined {
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
}

/** `x.code` / `code` as the code argument: true when it is the `code` parameter of the function it is in. */
function isForwardedParam(arg: ts.Expression): boolean {
  if (!ts.isIdentifier(arg)) return false;
  for (let n: ts.Node | undefined = arg.parent; n !== undefined; n = n.parent) {
    if (ts.isFunctionLike(n)) return n.parameters[0]?.name.getText() === arg.text;
  }
  return false;
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
}

/**
 * Per file: names of functions and methods whose first parameter is `code` and which pass it on to a raiser, and of
 * FerryError subclasses whose constructor passes its first parameter to `super` or that have no constructor (they
 * take FerryError's `code` first): `new KubeApiError('LAB_K8S_UNREACHABLE', …)`.
 */
function findForwarders(files: readonly ts.SourceFile[]): Map<string, Set<string>> {
  const byFile = new Map<string, Set<string>>();
  let names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isClassLike(node) && node.name !== undefined && extendsErrorBase(node.members[0] ?? node.name) && !node.members.some(ts.isConstructorDeclaration)) {
      names.add(node.name.text);
    }
    const isSuper = ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.SuperKeyword && extendsErrorBase(node);
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && (isSuper || RAISERS.has(calleeName(node.expression) ?? ''))) {
      const arg = node.arguments?.[0];
      if (arg !== undefined && isForwardedParam(arg)) {
        let fn: ts.Node | undefined = node.parent;
        while (fn !== undefined && !ts.isFunctionLike(fn)) fn = fn.parent;
        const name = fn === undefined ? undefined : ts.isConstructorDeclaration(fn) ? fn.parent.name : ts.getNameOfDeclaration(fn as ts.Declaration);
        const declared = name ?? (fn !== undefined && ts.isVariableDeclaration(fn.parent) ? fn.parent.name : undefined);
        if (declared !== undefined) names.add(declared.getText());
      }
    }
    ts.forEachChild(node, visit);
  };
  for (const f of files) {
    names = new Set<string>();
    visit(f);
    if (names.size > 0) byFile.set(f.fileName, names);
  }
  return byFile;
}

/** The raisers a file can call: the base ones, its own forwarders, and forwarders it imports by name. */
function raisersOf(sf: ts.SourceFile, forwarders: ReadonlyMap<string, ReadonlySet<string>>): Set<string> {
  const out = new Set([...RAISERS, ...(forwarders.get(sf.fileName) ?? [])]);
  for (const stmt of sf.statements) {
    if (!ts.isImportDeclaration(stmt) || !ts.isStringLiteral(stmt.moduleSpecifier)) continue;
    const bindings = stmt.importClause?.namedBindings;
    if (bindings === undefined || !ts.isNamedImports(bindings) || !stmt.moduleSpecifier.text.startsWith('.')) continue;
    const from = forwarders.get(join(dirname(sf.fileName), stmt.moduleSpecifier.text));
    for (const el of bindings.elements) if (from?.has((el.propertyName ?? el.name).text) === true) out.add(el.name.text);
  }
  return out;
}

/** Scans `<root>/src`; file names in results are relative to `root`. */
function scanSources(root: string): Scan {
  const files = listTsFiles(join(root, 'src')).map(parse);
  const forwarders = findForwarders(files);
  const sites: Site[] = [];
  const unresolved: string[] = [];
  const exportedTables = new Map<string, string[]>();
  for (const sf of files) {
    const rel = relative(root, sf.fileName);
    const raisers = raisersOf(sf, forwarders);
    const at = (n: ts.Node) => `${rel}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
    const constants = new Map<string, string>();
    const functions = new Map<string, ts.FunctionDeclaration>();
    for (const stmt of sf.statements) if (ts.isFunctionDeclaration(stmt) && stmt.name !== undefined && stmt.body !== undefined) functions.set(stmt.name.text, stmt);
    const tables = new Map<string, Map<string, string>>();
    // Top-level string constants and code tables (`… ErrorCode = { key: 'CODE', … } as const`).
    for (const stmt of sf.statements) {
      if (!ts.isVariableStatement(stmt)) continue;
      for (const d of stmt.declarationList.declarations) {
        if (!ts.isIdentifier(d.name) || d.initializer === undefined) continue;
        const text = literalText(d.initializer);
        if (text !== undefined) constants.set(d.name.text, text);
        const init = unwrap(d.initializer);
        if (/ErrorCodes?$/.test(d.name.text) && ts.isObjectLiteralExpression(init)) {
          const entries = new Map<string, string>();
          for (const p of init.properties) {
            const v = ts.isPropertyAssignment(p) ? literalText(p.initializer) : undefined;
            if (v !== undefined && p.name !== undefined) entries.set(p.name.getText(), v);
            if (v !== undefined) sites.push({ code: v, where: at(p) });
          }
          tables.set(d.name.text, entries);
          if (stmt.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
            exportedTables.set(sf.fileName, [...(exportedTables.get(sf.fileName) ?? []), d.name.text]);
          }
        }
      }
    }
    const resolveOne = (arg: ts.Expression): string | undefined => {
      const lit = literalText(arg);
      if (lit !== undefined) return lit;
      const u = unwrap(arg);
      if (ts.isIdentifier(u)) return constants.get(u.text);
      if (ts.isPropertyAccessExpression(u) && ts.isIdentifier(u.expression)) return tables.get(u.expression.text)?.get(u.name.text);
      return undefined;
    };
    /** The code(s) an argument can be: one, or each branch of a conditional; undefined when any is unknown. */
    const resolveArg = (arg: ts.Expression, depth = 0): string[] | undefined => {
      const u = unwrap(arg);
      if (ts.isConditionalExpression(u)) {
        const a = resolveArg(u.whenTrue, depth);
        const b = resolveArg(u.whenFalse, depth);
        return a === undefined || b === undefined ? undefined : [...a, ...b];
      }
      const fn = ts.isCallExpression(u) && ts.isIdentifier(u.expression) ? functions.get(u.expression.text) : undefined;
      if (fn !== undefined && depth < 3) {
        const returned = returnsOf(fn).map((r) => (r.expression === undefined ? undefined : resolveArg(r.expression, depth + 1)));
        return returned.length > 0 && returned.every((r) => r !== undefined) ? returned.flat() : undefined;
      }
      const one = resolveOne(u);
      return one === undefined ? undefined : [one];
    };
    const visit = (node: ts.Node): void => {
      const isSuper = ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.SuperKeyword;
      const raises = (ts.isCallExpression(node) || ts.isNewExpression(node)) && raisers.has(calleeName(node.expression) ?? '');
      if ((raises || (isSuper && extendsErrorBase(node))) && (ts.isCallExpression(node) || ts.isNewExpression(node))) {
        const arg = node.arguments?.[0];
        if (arg !== undefined) {
          const codes = resolveArg(arg);
          if (codes !== undefined) for (const code of codes) sites.push({ code, where: at(arg) });
          else if (!isForwardedParam(arg) && RELAYS[`${rel} ${arg.getText()}`] === undefined) unresolved.push(`${at(arg)} ${arg.getText()}`);
        }
      }
      if (ts.isObjectLiteralExpression(node)) {
        const named = new Set(node.properties.flatMap((p) => (p.name === undefined ? [] : [p.name.getText()])));
        const codeProp = node.properties.find((p) => ts.isPropertyAssignment(p) && p.name.getText() === 'code');
        const code = codeProp !== undefined && ts.isPropertyAssignment(codeProp) ? literalText(codeProp.initializer) : undefined;
        if (code !== undefined && named.has('message')) sites.push({ code, where: at(node) });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { sites, unresolved, exportedTables };
}

/** The `return` statements of a function's own body (not of functions nested in it). */
function returnsOf(fn: ts.FunctionDeclaration): ts.ReturnStatement[] {
  const out: ts.ReturnStatement[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isReturnStatement(n)) out.push(n);
    else if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit);
  };
  if (fn.body !== undefined) ts.forEachChild(fn.body, visit);
  return out;
}

function extendsErrorBase(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node.parent; n !== undefined; n = n.parent) {
    if (ts.isClassLike(n)) {
      return (n.heritageClauses ?? []).some((h) => h.types.some((t) => ERROR_BASES.has(t.expression.getText())));
    }
  }
  return false;
}

/** Codes docs/errors.md lists: backticked codes in headings and in the first cell of table rows. */
function readDocumentedCodes(markdown: string): Set<string> {
  const codes = new Set<string>();
  const take = (text: string) => {
    for (const m of text.matchAll(/`([^`]+)`/g)) if (CODE.test(m[1] as string)) codes.add(m[1] as string);
  };
  for (const line of markdown.split('\n')) {
    if (/^#{1,6}\s/.test(line)) take(line);
    else if (/^\s*\|/.test(line) && !/^\s*\|[\s:|-]+\|\s*$/.test(line)) take(line.split('|')[1] ?? '');
  }
  return codes;
}

const sorted = (s: Iterable<string>) => [...s].sort();

describe('docs/errors.md', () => {
  let scan: Scan;
  let srcCodes: Set<string>;
  let documented: Set<string>;

  before(async () => {
    scan = scanSources(ROOT);
    srcCodes = new Set(scan.sites.map((s) => s.code));
    for (const code of Object.values(EtcdErrorCode)) srcCodes.add(code);
    for (const [file, names] of scan.exportedTables) {
      const mod = (await import(pathToFileURL(file).href)) as Record<string, Record<string, unknown>>;
      for (const name of names) for (const v of Object.values(mod[name] ?? {})) if (typeof v === 'string') srcCodes.add(v);
    }
    documented = readDocumentedCodes(readFileSync(DOC, 'utf8'));
  });

  test('the scan finds the codes it must (sanity check of the scanner itself)', () => {
    for (const code of ['CLI_USAGE', 'INVENTORY_INVALID', 'ETCD_UNAVAILABLE', 'JOURNAL_OPEN_FAILED', 'LAB_SEED_FAILED', 'HOST_READ_FAILED', 'LAB_NOT_LOOPBACK', 'ROLLBACK_FAILED']) {
      assert.ok(srcCodes.has(code), `the scanner no longer finds ${code}: it has a blind spot`);
    }
    for (const notACode of ['ETCD_NAME', 'INITIAL_CLUSTER', 'FERRY_HOME', 'NO_COLOR', 'FERRY_FAULT', 'ETCD_OPTS']) {
      assert.ok(!srcCodes.has(notACode), `${notACode} is not an error code`);
    }
  });

  test('every code argument in src/ can be resolved to its code(s)', () => {
    assert.deepEqual(
      scan.unresolved,
      [],
      `these error-code arguments are computed in a way this test cannot follow:\n  ${scan.unresolved.join('\n  ')}\n` +
        'pass a string literal (or a code table entry), or add the site to RELAYS in this test with where its codes come from',
    );
  });

  test('every code is UPPER_SNAKE', () => {
    const bad = scan.sites.filter((s) => !CODE.test(s.code)).map((s) => `${s.code} (${s.where})`);
    assert.deepEqual(bad, [], `error codes must be UPPER_SNAKE: ${bad.join(', ')}`);
  });

  test('every code ferry can raise has an entry', () => {
    const missing = sorted([...srcCodes].filter((c) => !documented.has(c)));
    const where = missing.map((c) => `  ${c}  (${scan.sites.filter((s) => s.code === c).map((s) => s.where).join(', ') || 'code table'})`);
    assert.deepEqual(missing, [], `docs/errors.md does not document ${missing.length} code(s):\n${where.join('\n')}\nadd a "### \`CODE\`" entry (and a row in its module's table) for each`);
  });

  test('every code it lists still exists in src/', () => {
    const stale = sorted([...documented].filter((c) => !srcCodes.has(c)));
    assert.deepEqual(stale, [], `docs/errors.md lists code(s) that src/ no longer raises: ${stale.join(', ')}; remove their entries`);
  });
});

describe('the code scanner', () => {
  test('follows literals, constants, code tables, forwarders, subclasses and records, and flags what it cannot follow', () => {
    const root = mkdtempSync(join(tmpdir(), 'ferry-errors-doc-'));
    try {
      mkdirSync(join(root, 'src'));
      writeFileSync(
        join(root, 'src', 'sample.ts'),
        [
          "const NAME = 'ETCD_NAME';",
          "const CODE_A = 'X_FROM_CONST';",
          "export const SampleErrorCode = { one: 'X_TABLE_ONE', two: 'X_TABLE_TWO' } as const;",
          "function wrap(code: string, m: string) { return new FerryError(code, m); }",
          "class SampleError extends FerryError { constructor() { super('X_SUBCLASS', 'm'); } }",
          "class Other extends Base { constructor() { super('NOT_AN_ERROR'); } }",
          "inputError('X_LITERAL', 'm');",
          "new FerryError(CODE_A, 'm');",
          "new FerryError(SampleErrorCode.two, 'm');",
          "wrap('X_FORWARDED', 'm');",
          "const rec = { code: 'X_RECORD', message: 'm' };",
          "env[NAME]; vars.get('INITIAL_CLUSTER'); const noMessage = { code: 'X_NO_MESSAGE' };",
          'new FerryError(`X_${part}`, "m");',
          "new FerryError(ok ? 'X_COND_A' : 'X_COND_B', 'm');",
          "export function raise(code: string) { return new FerryError(code, 'm'); }",
          "export class PlainError extends FerryError {}",
          "class StatusError extends FerryError { constructor(code: string, m: string, readonly status: number) { super(code, m); } }",
          "new PlainError('X_PLAIN_SUBCLASS', 'm'); new StatusError('X_CODE_SUBCLASS', 'm', 404);",
          "function codeFor(s: number) { switch (s) { case 404: return 'X_FN_A'; default: return CODE_A; } }",
          "function notFixed(s: string) { return `X_${s}`; }",
          "new FerryError(codeFor(1), 'm'); new FerryError(notFixed('a'), 'm');",
        ].join('\n'),
      );
      writeFileSync(
        join(root, 'src', 'other.ts'),
        [
          "import { raise as up } from './sample.ts';",
          "up('X_IMPORTED');",
          "wrap('not a code: wrap is not imported here');",
          "function fail(why: string) { return new SyntaxError(why); }",
          "fail('not a code either');",
        ].join('\n'),
      );
      const result = scanSources(root);
      assert.deepEqual(
        sorted(new Set(result.sites.map((s) => s.code))),
        ['X_CODE_SUBCLASS', 'X_COND_A', 'X_COND_B', 'X_FN_A', 'X_FORWARDED', 'X_FROM_CONST', 'X_IMPORTED', 'X_LITERAL', 'X_PLAIN_SUBCLASS', 'X_RECORD', 'X_SUBCLASS', 'X_TABLE_ONE', 'X_TABLE_TWO'],
      );
      assert.deepEqual(result.unresolved, ['src/sample.ts:13 `X_${part}`', "src/sample.ts:21 notFixed('a')"]);
      assert.deepEqual([...result.exportedTables.values()], [['SampleErrorCode']]);
      assert.deepEqual(sorted(readDocumentedCodes('# Title `NOT_A_HEADING_CODE_` \n### `X_ONE`\n| `X_TWO` | `X_THREE` |\n| --- | --- |\nprose `X_FOUR`\n')), ['X_ONE', 'X_TWO']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
