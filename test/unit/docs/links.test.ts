/**
 * The operator docs hang together: every relative link in README.md and docs/*.md points at a file that exists and,
 * for a Markdown file, at a heading it has (GitHub's anchors); every error code troubleshooting.md names is one
 * docs/errors.md documents; the README links every page of docs/.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DOCS = join(ROOT, 'docs');
const pages = [join(ROOT, 'README.md'), ...readdirSync(DOCS).filter((f) => f.endsWith('.md')).map((f) => join(DOCS, f))];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const h = fenced ? null : /^#{1,6} (.*)$/.exec(line);
    if (h === null) continue;
    const base = (h[1] as string).trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Links outside code: `[text](target)`. */
function linksOf(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string);
}

describe('the docs', () => {
  test('every relative link points at an existing file and heading', () => {
    const broken: string[] = [];
    for (const page of pages) {
      const text = readFileSync(page, 'utf8');
      for (const link of linksOf(text)) {
        if (/^[a-z]+:/.test(link)) continue;
        const [path, anchor] = link.split('#') as [string, string | undefined];
        const target = path === '' ? page : resolve(dirname(page), path);
        const where = `${relative(ROOT, page)} → ${link}`;
        if (!existsSync(target)) {
          broken.push(`${where}: no such file`);
          continue;
        }
        if (anchor !== undefined && target.endsWith('.md') && !anchorsOf(readFileSync(target, 'utf8')).has(anchor)) broken.push(`${where}: no such heading`);
      }
    }
    assert.deepEqual(broken, []);
  });

  test('every error code troubleshooting.md names is documented in errors.md', () => {
    const documented = anchorsOf(readFileSync(join(DOCS, 'errors.md'), 'utf8'));
    const named = [...readFileSync(join(DOCS, 'troubleshooting.md'), 'utf8').matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)].map((m) => m[1] as string);
    assert.ok(named.length > 40);
    // FERRY_HOME, FERRY_DOMEOS_USERNAME, …: environment variables, not codes.
    const unknown = [...new Set(named)].filter((c) => !c.startsWith('FERRY_') && !documented.has(c.toLowerCase()));
    assert.deepEqual(unknown, [], 'codes that errors.md has no entry for');
  });

  test('the README links every page of docs/', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const f of readdirSync(DOCS).filter((x) => x.endsWith('.md'))) assert.ok(readme.includes(`](docs/${f}`), `README links docs/${f}`);
  });
});
