import { buildAccessLogFilter, FILTER_FIELDS, filterValuesToParams, toUtcInputValue, type FilterKey, type FilterValues } from '../log-filter.js';
import { h, replace } from '../dom.js';
import type { ViewContext } from './context.js';
import { field, select } from './parts.js';

type FilterControls = ReadonlyMap<FilterKey, HTMLInputElement | HTMLSelectElement>;

export /** The filter form: one labelled control per filter of SPEC 6/7. */
function filterForm(values: FilterValues): { form: HTMLFormElement; controls: Map<FilterKey, HTMLInputElement | HTMLSelectElement> } {
  const controls = new Map<FilterKey, HTMLInputElement | HTMLSelectElement>();
  const fields = FILTER_FIELDS.map((spec) => {
    const value = values[spec.key];
    let control: HTMLInputElement | HTMLSelectElement;
    switch (spec.kind) {
      case 'text':
        control = h('input', { type: 'text', name: spec.key, value: value ?? '', placeholder: spec.placeholder, autocomplete: 'off', spellcheck: 'false' });
        break;
      case 'select':
        control = select(spec.key, spec.options, value);
        break;
      case 'time':
        control = h('input', { type: 'datetime-local', name: spec.key, step: 1, value: value === undefined ? '' : toUtcInputValue(value) });
        break;
    }
    control.id = `filter-${spec.key}`;
    controls.set(spec.key, control);
    return field(spec.label, control);
  });
  const form = h('form', { class: 'filters', novalidate: true, 'aria-label': 'Filter the access log' }, h('div', { class: 'filter-grid' }, fields));
  return { form, controls };
}

/**
 * The form's submit handler: a filter with mistakes marks its controls and says what to fix;
 * a valid one becomes the address of the filtered log.
 */
export function submitFilters(ctx: ViewContext, controls: FilterControls, formErrors: HTMLElement, pageSize: number): (event: SubmitEvent) => void {
  const formValues = (): FilterValues => {
    const current: FilterValues = {};
    for (const [key, control] of controls) current[key] = control.value;
    return current;
  };
  return (event) => {
    event.preventDefault();
    const current = formValues();
    const checked = buildAccessLogFilter(current);
    for (const control of controls.values()) control.removeAttribute('aria-invalid');
    if (!checked.ok) {
      replace(formErrors, h('p', null, 'Fix the filter:'), h('ul', null, checked.errors.map((error) => h('li', null, error.message))));
      formErrors.hidden = false;
      for (const error of checked.errors) controls.get(error.key)?.setAttribute('aria-invalid', 'true');
      controls.get(checked.errors[0]?.key ?? 'from')?.focus();
      return;
    }
    formErrors.hidden = true;
    const target = filterValuesToParams(current);
    if (pageSize !== 50) target.set('size', String(pageSize));
    ctx.navigate('log', target);
  };
}
