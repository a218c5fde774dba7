#!/usr/bin/env node
// The import structure of src/, in figures (docs/architecture.md): folder knots (folders that can reach one another
// through imports), imports that run against the layers, file-level import cycles, imports of the lab from the
// product, and how many lab files a command loads.
//   node scripts/structure-figures.mjs            the figures, for this checkout
//   node scripts/structure-figures.mjs --json     the same as JSON
// Reads the source as text (every `import … from`, `export … from` and `import()` with a relative specifier) and
// runs `ferry plan` once with a module hook that records what it loads. Changes nothing.
import { readFileSync, readdirSync, statSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, relative, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LAYERS } from './layers.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');


function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'"`;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every relative import of a file: target path and whether it is type-only. */
function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const out = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[3] ?? m[4];
    if (spec === undefined || !spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec);
    if (!existsSync(target)) continue;
    out.push({ target, typeOnly: m[2] !== undefined, dynamic: m[4] !== undefined });
  }
  return out;
}

const folderOf = (file) => relative(SRC, file).split('/')[0];
const layerOf = (folder) => LAYERS.findIndex((l) => l.includes(folder));

/** Strongly connected components with more than one member (Tarjan). */
function knots(nodes, edges) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const c = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) out.push(c.sort());
    }
  };
  for (const v of nodes) if (!idx.has(v)) visit(v);
  return out;
}

/** The src/lab files `ferry plan` loads (a module hook records every file it resolves). */
function labFilesLoadedBy(args) {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-structure-'));
  const log = join(dir, 'loaded.txt');
  const hook = join(dir, 'hook.mjs');
  const register = join(dir, 'register.mjs');
  writeFileSync(hook, `import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); if (r.url.startsWith('file:')) appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }\n`);
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`);
  writeFileSync(log, '');
  spawnSync(process.execPath, ['--import', register, join(ROOT, 'bin', 'ferry.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, FERRY_HOME: join(dir, 'home'), NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const loaded = new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean).map((u) => fileURLToPath(u)));
  rmSync(dir, { recursive: true, force: true });
  return [...loaded].filter((f) => f.startsWith(join(SRC, 'lab') + '/')).map((f) => relative(ROOT, f)).sort();
}
const files = walk(SRC);
const fileEdges = new Map(files.map((f) => [f, importsOf(f)]));

// File-level cycles, counting every import, then value imports only.
const cycles = knots(files, new Map([...fileEdges].map(([f, es]) => [f, es.map((e) => e.target)])));
const valueCycles = knots(files, new Map([...fileEdges].map(([f, es]) => [f, es.filter((e) => !e.typeOnly).map((e) => e.target)])));

// Folder graph.
const folders = [...new Set(files.map(folderOf))].sort();
const folderEdges = new Map(folders.map((f) => [f, new Set()]));
const against = new Map();
for (const [f, es] of fileEdges) {
  for (const e of es) {
    const a = folderOf(f);
    const b = folderOf(e.target);
    if (a === b) continue;
    folderEdges.get(a).add(b);
    const la = layerOf(a);
    const lb = layerOf(b);
    if (la < 0 || lb < 0 || la < lb) {
      const key = `${a} → ${b}`;
      against.set(key, [...(against.get(key) ?? []), `${relative(ROOT, f)} → ${relative(ROOT, e.target)}`]);
    }
  }
}
const folderKnots = knots(folders, new Map([...folderEdges].map(([f, s]) => [f, [...s]])));

// The product's imports of the lab.
const labDir = join(SRC, 'lab') + '/';
const productToLab = [];
for (const [f, es] of fileEdges) {
  if (f.startsWith(labDir)) continue;
  for (const e of es) if (e.target.startsWith(labDir)) productToLab.push(`${relative(ROOT, f)} → ${relative(ROOT, e.target)}${e.dynamic ? ' (loaded when called)' : ''}`);
}

const loadedByPlan = labFilesLoadedBy(['plan', '-f', 'examples/lab-seed.yaml']);

const figures = {
  srcFiles: files.length,
  folders: folders.length,
  folderKnots,
  importsAgainstLayers: Object.fromEntries(against),
  fileCycles: cycles.map((c) => c.map((f) => relative(ROOT, f))),
  valueFileCycles: valueCycles.length,
  productToLab: [...new Set(productToLab)].sort(),
  labFilesLoadedByPlan: loadedByPlan,
};

if (process.argv.includes('--json')) {
  process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
} else {
  const lines = [
    `src: ${figures.srcFiles} files in ${figures.folders} top-level folders and files`,
    `folders that can reach one another (knots): ${folderKnots.length === 0 ? 'none' : folderKnots.map((k) => `{${k.join(', ')}}`).join('; ')}`,
    `folder imports against the layers: ${against.size}${[...against.keys()].map((k) => `\n  ${k}: ${against.get(k).join(', ')}`).join('')}`,
    `file import cycles: ${cycles.length}${cycles.map((c) => `\n  ${c.map((f) => relative(ROOT, f)).join(' ⇄ ')}`).join('')}`,
    `product → lab imports: ${figures.productToLab.length}${figures.productToLab.map((l) => `\n  ${l}`).join('')}`,
    `lab files loaded by \`ferry plan -f examples/lab-seed.yaml\`: ${loadedByPlan.length}${loadedByPlan.map((l) => `\n  ${l}`).join('')}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
