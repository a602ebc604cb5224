import { h } from '../dom.js';

export interface Notice {
  readonly tone: 'error' | 'info';
  readonly text: string;
  /** What the gateway said, word for word (e.g. which purpose the token lacks). */
  readonly detail?: string;
}

/**
 * Sign-in (SPEC 1): a field labelled "Bearer token" and a "Sign in" button. The console mints
 * no token itself; a development federation's auditor token comes from the token command.
 */
export function signInView(options: { readonly notice: Notice | null; readonly onSubmit: (token: string, done: () => void) => void }): HTMLElement {
  const token = h('textarea', {
    id: 'token',
    name: 'token',
    rows: 5,
    required: true,
    autocomplete: 'off',
    autocapitalize: 'off',
    spellcheck: 'false',
    'aria-describedby': 'token-hint',
  });
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'sign-in-form', novalidate: true },
    h('label', { for: 'token' }, 'Bearer token'),
    h('p', { id: 'token-hint', class: 'hint' }, 'Paste an auditor\u2019s token (a JWT from your identity provider). On a development federation: ', h('code', null, 'npm run -s token -- --persona auditor')),
    token,
    h('div', { class: 'actions' }, button),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    button.disabled = true;
    button.textContent = 'Signing in…';
    options.onSubmit(token.value, () => {
      button.disabled = false;
      button.textContent = 'Sign in';
    });
  });
  const notice = options.notice;
  const main = h(
    'main',
    { id: 'main', class: 'sign-in', tabindex: -1 },
    h(
      'div',
      { class: 'sign-in-card' },
      h('p', { class: 'brand-line' }, 'Tributary'),
      h('h1', null, 'Auditor console'),
      h('p', { class: 'lead' }, 'Review who saw what, when, why and under which rule — and prove the log was not altered.'),
      notice === null
        ? null
        : h(
            'div',
            { class: notice.tone === 'error' ? 'alert' : 'note', role: notice.tone === 'error' ? 'alert' : 'status' },
            h('p', null, notice.text),
            notice.detail ? h('p', { class: 'detail' }, `The gateway said: ${notice.detail}`) : null,
          ),
      form,
      h(
        'p',
        { class: 'fine-print' },
        'The token stays in this browser tab (session storage) and goes only to this gateway, with purpose of use OVERSIGHT_AUDIT. Every view you open is itself recorded in the audit log.',
      ),
    ),
  );
  queueMicrotask(() => token.focus());
  return main;
}
