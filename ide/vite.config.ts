import { defineConfig } from 'vite';

const root = new URL('.', import.meta.url).pathname;

/**
 * The development GraphQL IDE (GraphiQL, SPEC 8): a static page the gateway serves at
 * GET /graphql to a browser outside production, its files under /graphql/ide/. Everything is
 * bundled, GraphiQL's fonts included (its stylesheet inlines them as data: URLs): nothing loads
 * from a CDN. `npm run build` writes ide/dist beside console/dist.
 */
export default defineConfig({
  root,
  base: '/graphql/ide/',
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // GraphiQL, React and CodeMirror in one bundle is past Vite's default warning size, and
    // that is expected of a development tool: it is never served in production.
    chunkSizeWarningLimit: 4_000,
    modulePreload: { polyfill: false },
    rollupOptions: {
      // Radix UI marks its modules "use client" (for React server components, which a static
      // page has none of): rollup's warning about dropping the directive is noise here.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  // `npx vite --config ide/vite.config.ts` serves the page at /graphql/ide/ with hot reload;
  // only the endpoint itself goes to a gateway started with `npm start` (a prefix would take
  // the page's own files there too).
  server: {
    proxy: { '^/graphql$': 'http://127.0.0.1:4000' },
  },
});
