import { fileURLToPath } from 'node:url';
import adapterStatic from '@sveltejs/adapter-static';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';
import { externalizeBootScripts } from './tools/externalize-boot-scripts.ts';

// The SvelteKit project lives in frontend/, but `npm run build:web` runs from the repo root,
// so every path here is absolute.
const frontend = fileURLToPath(new URL('.', import.meta.url));
const build = fileURLToPath(new URL('./build', import.meta.url));
const shared = fileURLToPath(new URL('../shared', import.meta.url));

// A single-page app: every path that is not a file is answered with index.html,
// both by the local server and by CloudFront in front of S3.
const staticSpa = adapterStatic({ pages: build, assets: build, fallback: 'index.html', strict: true });

export default defineConfig({
  root: frontend,
  plugins: [
    sveltekit({
      adapter: {
        name: 'moot-static',
        // Kit boots the app from an inline <script>; the CSP is `script-src 'self'`,
        // so after the static adapter has written the site, those scripts become files.
        async adapt(builder) {
          await staticSpa.adapt(builder);
          externalizeBootScripts(build, builder.config.appDir);
        },
      },
      outDir: '.svelte-kit',
      version: { pollInterval: 0 },
    }),
  ],
  server: {
    // The browser imports the API contract (zod schemas) straight from shared/.
    fs: { allow: [shared] },
    // The API, and the deployment's brand.css, brand.json and logo, come from `npm start`.
    proxy: Object.fromEntries(['/api', '/brand'].map((path) => [path, process.env.MOOT_API ?? 'http://localhost:3000'])),
  },
  build: { target: 'es2022' },
});
