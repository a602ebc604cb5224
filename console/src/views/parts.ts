import type { Decision } from '../api/types.js';
import { h, uid, type Child } from '../dom.js';

/** A titled section of a view with its h1 (focused on navigation, for screen readers). */
export function viewHeader(title: string, lead: string): HTMLElement {
  return h('header', { class: 'view-header' }, h('h1', { tabindex: -1 }, title), h('p', { class: 'lead' }, lead));
}

export function decisionBadge(decision: Decision): HTMLElement {
  return h('span', { class: `badge decision-${decision.toLowerCase()}` }, decision);
}

export function chips(values: readonly string[], empty = 'none'): HTMLElement {
  return values.length === 0 ? h('span', { class: 'muted' }, empty) : h('ul', { class: 'chips' }, values.map((value) => h('li', null, h('code', null, value))));
}

export function emptyState(title: string, detail?: string): HTMLElement {
  return h('div', { class: 'empty-state' }, h('p', { class: 'empty-title' }, title), detail ? h('p', null, detail) : null);
}

export function loading(text: string): HTMLElement {
  return h('p', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text);
}

/** An error where the view's content would be, with an optional way to try again. */
export function alertBox(message: string, retry?: () => void): HTMLElement {
  return h(
    'div',
    { class: 'alert', role: 'alert' },
    h('p', null, message),
    retry ? h('button', { type: 'button', class: 'secondary', onclick: () => retry() }, 'Try again') : null,
  );
}

/** A labelled form control: the label's `for` names the control, hints are described-by. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  const id = control.id || uid('field');
  control.id = id;
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('p', { id: hintId, class: 'hint' }, hint) : null);
}

export function select(name: string, options: readonly string[], value: string | undefined, anyLabel = 'Any'): HTMLSelectElement {
  return h(
    'select',
    { name },
    h('option', { value: '', selected: value === undefined || value === '' }, anyLabel),
    options.map((option) => h('option', { value: option, selected: option === value }, option)),
  );
}

/** A definition list from label/value pairs; null values are left out. */
export function definitions(pairs: readonly (readonly [string, Child])[], className = 'facts'): HTMLElement {
  return h(
    'dl',
    { class: className },
    pairs.filter(([, value]) => value !== null && value !== undefined).map(([term, value]) => h('div', null, h('dt', null, term), h('dd', null, value))),
  );
}

/** A date range form (UTC days) used by the summary views. */
export function dayRangeForm(values: { from: string; to: string }, submitLabel: string, onSubmit: (from: string, to: string) => void): HTMLFormElement {
  const from = h('input', { type: 'date', name: 'from', value: values.from, required: true });
  const to = h('input', { type: 'date', name: 'to', value: values.to, required: true });
  const error = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const form = h(
    'form',
    { class: 'range-form', novalidate: true },
    field('From (UTC day)', from),
    field('To (UTC day, inclusive)', to),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, submitLabel)),
    error,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (from.value === '' || to.value === '' || to.value < from.value) {
      error.textContent = 'Choose a From day and a To day on or after it.';
      error.hidden = false;
      (from.value === '' ? from : to).focus();
      return;
    }
    error.hidden = true;
    onSubmit(from.value, to.value);
  });
  return form;
}
