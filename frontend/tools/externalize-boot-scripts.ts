import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const inlineScript = /<script>([\s\S]*?)<\/script>/g;

/**
 * Moves every inline `<script>` of the built HTML pages into a content-hashed file under
 * `<appDir>/immutable/`, so the site runs under a `script-src 'self'` policy.
 * The replacement is a classic (non-module) script so `document.currentScript`, which
 * Kit's bootstrap uses to find its mount point, still works.
 */
export function externalizeBootScripts(siteDir: string, appDir: string): void {
  for (const file of htmlFiles(siteDir)) {
    const html = readFileSync(file, 'utf8');
    const rewritten = html.replace(inlineScript, (_match, code: string) => {
      const name = `boot.${createHash('sha256').update(code).digest('hex').slice(0, 10)}.js`;
      writeFileSync(join(siteDir, appDir, 'immutable', name), `${code.trim()}\n`);
      return `<script src="/${appDir}/immutable/${name}"></script>`;
    });
    if (/<script>/.test(rewritten)) throw new Error(`An inline script is left in ${file}`);
    writeFileSync(file, rewritten);
  }
}

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.html'))
    .map((entry) => join(entry.parentPath, entry.name));
}
