import type { ServiceName } from '../lib/domain.js';

export interface BannerFacts {
  /** Each running service's URL, in the order they are listed. */
  readonly urls: Readonly<Partial<Record<ServiceName, string>>>;
  /** The embedded store's directory, or a real PostgreSQL. */
  readonly store: { readonly embedded: string } | 'postgres';
  readonly production: boolean;
}

/** What `npm start` prints once every service answers: where each one is, and a first request to try. */
export function banner({ urls, store, production }: BannerFacts): string {
  const consoleUrl = urls.gateway === undefined ? undefined : new URL('/console/', urls.gateway).toString();
  return [
    '',
    `Tributary is running${store === 'postgres' ? ' on PostgreSQL' : ` on the embedded store (${store.embedded})`}:`,
    ...Object.entries(urls).map(([name, url]) => `  ${name.padEnd(8)} ${url}`),
    ...(consoleUrl ? [`  console  ${consoleUrl}  (sign in with: npm run -s token -- --persona auditor)`] : []),
    ...(urls.gateway && !production ? [`  IDE      ${urls.gateway}  (in a browser; paste a token from: npm run -s token -- --persona cbp-analyst)`] : []),
    '',
    'Try it:',
    '  TOKEN=$(npm run -s token -- --persona cbp-analyst)',
    `  curl -s ${urls.gateway ?? 'http://127.0.0.1:4000/graphql'} -H "authorization: Bearer $TOKEN" \\`,
    "    -H 'x-purpose-of-use: INTERDICTION' -H 'content-type: application/json' \\",
    `    -d '{"query":"{ routes(first: 3) { totalCount edges { node { id name sector hazards { kind } } } } }"}'`,
    '',
  ].join('\n');
}
