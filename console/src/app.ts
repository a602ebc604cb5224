import { AuditApi } from './api/audit-api.js';
import { GatewayClient } from './api/client.js';
import { ApiError, describeProblem, endsSession, type Problem } from './api/problems.js';
import { h, replace } from './dom.js';
import { formatHash, parseHash, VIEW_TITLES, VIEWS, type Route, type ViewName } from './router.js';
import { Session } from './session.js';
import { isExpired, msUntilExpiry, normalizeToken, readClaims, type TokenClaims } from './token.js';
import { anomaliesView } from './views/anomalies-view.js';
import { chainView } from './views/chain-view.js';
import { chartsView } from './views/charts-view.js';
import type { ViewContext } from './views/context.js';
import { logView } from './views/log-view.js';
import { alertBox } from './views/parts.js';
import { personView } from './views/person-view.js';
import { signInView, type Notice } from './views/sign-in.js';

const APP_TITLE = 'Tributary auditor console';
const EXPIRED: Notice = { tone: 'error', text: 'Your token has expired. Sign in again with a fresh token.' };

/** A problem for the sign-in page: the plain sentence, and the gateway's own words when they add something. */
function problemNotice(problem: Problem): Notice {
  const detail = problem.kind === 'unauthenticated' || problem.kind === 'not-auditor' ? problem.detail : '';
  return { tone: 'error', text: describeProblem(problem), ...(detail === '' ? {} : { detail }) };
}

type State = { readonly phase: 'signed-out' } | { readonly phase: 'signed-in'; readonly api: AuditApi; readonly claims: TokenClaims | null };

/** The console: sign-in, then the shell (header, navigation, one view at a time). */
export class ConsoleApp {
  private state: State = { phase: 'signed-out' };
  private main: HTMLElement | null = null;
  private announcer: HTMLElement | null = null;
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;
  private firstRender = true;

  constructor(
    private readonly root: HTMLElement,
    private readonly session: Session,
  ) {
    window.addEventListener('hashchange', () => this.route());
  }

  start(): void {
    const token = this.session.token;
    if (token === null) return this.signOut(null);
    const claims = readClaims(token);
    if (isExpired(claims, Date.now())) return this.signOut(EXPIRED);
    this.enter(token, claims);
  }

  private async signIn(input: string, done: () => void): Promise<void> {
    const token = normalizeToken(input);
    if (token === '') {
      done();
      return this.signOut({ tone: 'error', text: 'Paste a bearer token first.' });
    }
    const claims = readClaims(token);
    if (isExpired(claims, Date.now())) {
      done();
      return this.signOut(EXPIRED);
    }
    const api = new AuditApi(new GatewayClient(token));
    try {
      await api.signIn();
    } catch (error) {
      done();
      return this.signOut(error instanceof ApiError ? problemNotice(error.problem) : { tone: 'error', text: `Could not sign in: ${String(error)}` });
    }
    this.session.save(token);
    done();
    this.enter(token, claims);
  }

  signOut(notice: Notice | null): void {
    clearTimeout(this.expiryTimer);
    this.session.clear();
    this.state = { phase: 'signed-out' };
    this.main = null;
    document.title = `Sign in · ${APP_TITLE}`;
    replace(this.root, signInView({ notice, onSubmit: (token, done) => void this.signIn(token, done) }));
  }

  private enter(token: string, claims: TokenClaims | null): void {
    this.state = { phase: 'signed-in', api: new AuditApi(new GatewayClient(token)), claims };
    const remaining = msUntilExpiry(claims, Date.now());
    clearTimeout(this.expiryTimer);
    // setTimeout holds at most ~24.8 days; tokens live an hour.
    if (remaining !== null && remaining < 2 ** 31 - 1) this.expiryTimer = setTimeout(() => this.signOut(EXPIRED), remaining);
    this.renderShell(claims);
    if (!location.hash.startsWith('#/')) history.replaceState(null, '', formatHash('log'));
    this.route();
  }

  private renderShell(claims: TokenClaims | null): void {
    this.main = h('main', { id: 'main', tabindex: -1 });
    this.announcer = h('div', { class: 'visually-hidden', 'aria-live': 'polite', role: 'status' });
    const skip = h('a', { class: 'skip-link', href: '#main' }, 'Skip to content');
    skip.addEventListener('click', (event) => {
      event.preventDefault();
      this.main?.focus();
    });
    const who = claims?.sub ?? 'an unnamed subject';
    const expires = claims?.exp == null ? '' : ` · expires ${new Date(claims.exp * 1000).toISOString().slice(11, 16)}Z`;
    replace(
      this.root,
      skip,
      h(
        'header',
        { class: 'topbar' },
        h('div', { class: 'brand' }, h('span', { class: 'brand-name' }, 'Tributary'), h('span', { class: 'brand-sub' }, 'Auditor console')),
        h(
          'nav',
          { 'aria-label': 'Console sections' },
          h('ul', null, VIEWS.map((view) => h('li', null, h('a', { href: formatHash(view), 'data-view': view }, VIEW_TITLES[view])))),
        ),
        h(
          'div',
          { class: 'who' },
          h('span', null, h('span', { class: 'visually-hidden' }, 'Signed in as '), h('strong', { title: claims?.org ? `org ${claims.org}` : null }, who), h('span', { class: 'expires' }, expires)),
          h('button', { type: 'button', class: 'link-button', onclick: () => this.signOut({ tone: 'info', text: 'Signed out. The token was removed from this tab.' }) }, 'Sign out'),
        ),
      ),
      this.main,
      this.announcer,
    );
  }

  private route(): void {
    if (this.state.phase !== 'signed-in' || this.main === null) return;
    const route: Route = parseHash(location.hash);
    document.title = `${VIEW_TITLES[route.view]} · ${APP_TITLE}`;
    for (const link of this.root.querySelectorAll<HTMLAnchorElement>('nav a[data-view]')) {
      if (link.dataset['view'] === route.view) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    const view = this.render(route, this.context(this.state.api));
    replace(this.main, view);
    // Moving focus to the new view's heading tells screen readers the page changed; not on first load.
    if (!this.firstRender) view.querySelector<HTMLElement>('h1')?.focus();
    this.firstRender = false;
  }

  private render(route: Route, context: ViewContext): HTMLElement {
    switch (route.view) {
      case 'log':
        return logView(context, route.params);
      case 'charts':
        return chartsView(context, route.params);
      case 'person':
        return personView(context, route.params);
      case 'anomalies':
        return anomaliesView(context, route.params);
      case 'chain':
        return chainView(context);
    }
  }

  private context(api: AuditApi): ViewContext {
    return {
      api,
      session: this.session,
      navigate: (view: ViewName, params) => {
        const hash = formatHash(view, params);
        if (location.hash === hash) this.route();
        else location.hash = hash;
      },
      fail: (error, status, retry) => {
        if (error instanceof ApiError && endsSession(error.problem)) {
          this.signOut(problemNotice(error.problem));
          return;
        }
        const message = error instanceof ApiError ? describeProblem(error.problem) : `Something went wrong in the console: ${error instanceof Error ? error.message : String(error)}`;
        replace(status, alertBox(message, retry));
        this.announce(message);
      },
      announce: (text) => this.announce(text),
      isCurrent: (element) => element.isConnected,
    };
  }

  private announce(text: string): void {
    if (this.announcer === null) return;
    this.announcer.textContent = '';
    // A fresh text node after clearing makes screen readers speak a repeated message too.
    setTimeout(() => {
      if (this.announcer) this.announcer.textContent = text;
    }, 50);
  }
}
