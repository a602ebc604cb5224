/**
 * What the header editor starts with: the three headers every request to the gateway carries
 * (a token, a purpose of use and, for INVESTIGATION, a case number). The token is a placeholder
 * the developer replaces with `npm run -s token -- --persona ...`.
 */
export const DEFAULT_HEADERS = JSON.stringify(
  {
    authorization: 'Bearer <paste a token>',
    'x-purpose-of-use': 'INVESTIGATION',
    'x-justification': 'CASE-2026-0042',
  },
  null,
  2,
);

/** A first query a CBP analyst may run under INVESTIGATION. */
export const DEFAULT_QUERY = `# Tributary's gateway. Paste a token into Headers (below), then run this with ▶.
{
  routes(first: 3) {
    totalCount
    edges {
      node {
        id
        name
        sector
        hazards {
          kind
        }
      }
    }
  }
}
`;
