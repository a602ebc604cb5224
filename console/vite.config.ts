import { defineConfig } from 'vite';

const root = new URL('.', import.meta.url).pathname;

/**
 * The auditor console (SPEC 1): a static page the gateway serves at /console/. Everything is
 * bundled (no CDN, no web fonts): the page's Content-Security-Policy allows only its own
 * origin. `npm run build` writes console/dist; `npx vite --config console/vite.config.ts`
 * serves it for development, proxying /graphql to a gateway started with `npm start`.
 */
export default defineConfig({
  root,
  base: '/console/',
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // The polyfill would be the only inline-looking code path; modern browsers need none.
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { '/graphql': 'http://127.0.0.1:4000' },
  },
});
