// First-load JavaScript of the web app: every script the entry page loads, gzipped.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { repoRoot } from '../local/stack.ts';

export async function main(): Promise<void> {
  console.log('## Web app');
  const build = join(repoRoot, 'frontend/build');
  if (!existsSync(join(build, 'index.html'))) {
    console.log('frontend/build is missing: run npm run build:web first.');
    return;
  }
  const html = readFileSync(join(build, 'index.html'), 'utf8');
  const seen = new Set<string>();
  const queue = [...html.matchAll(/(?:src|href)="([^"]+\.js)"/g)].map((m) => m[1]!);
  let raw = 0;
  let gz = 0;
  // Follow static imports, which the browser fetches before the first paint.
  while (queue.length) {
    const url = queue.shift()!;
    const path = join(build, url.replace(/^\.?\//, ''));
    if (seen.has(path) || !existsSync(path)) continue;
    seen.add(path);
    const code = readFileSync(path);
    raw += code.length;
    gz += gzipSync(code, { level: 9 }).length;
    const dir = url.slice(0, url.lastIndexOf('/') + 1);
    for (const m of String(code).matchAll(/(?:import|from)\s*["']\.\/?([^"']+\.js)["']/g)) queue.push(dir + m[1]);
  }
  console.log(`First-load JavaScript: ${seen.size} files, ${(raw / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzipped (budget 50 KB)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
