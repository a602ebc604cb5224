import 'graphiql/graphiql.css';
import './ide.css';
import { GraphiQL } from 'graphiql';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { DEFAULT_HEADERS, DEFAULT_QUERY } from './defaults.js';
import { gatewayFetcher } from './fetcher.js';

const container = document.getElementById('ide');
if (container === null) throw new Error('The IDE page has no #ide element');

// The page is served by the gateway at its own /graphql: the IDE talks to that origin only
// (the page's Content-Security-Policy allows no other).
const fetcher = gatewayFetcher(new URL('/graphql', window.location.href).toString());

createRoot(container).render(
  createElement(GraphiQL, {
    fetcher,
    defaultQuery: DEFAULT_QUERY,
    headers: DEFAULT_HEADERS,
    defaultHeaders: DEFAULT_HEADERS,
    // The headers hold a bearer token: kept in memory only, never written to localStorage.
    shouldPersistHeaders: false,
    isHeadersEditorEnabled: true,
    defaultEditorToolsVisibility: 'headers',
  }),
);
