import { h, s, uid, type Child } from '../dom.js';

export interface LegendItem {
  readonly label: string;
  readonly color: string;
  /** A shape other than a square swatch (the timeline's decisions). */
  readonly mark?: SVGElement;
}

export interface DataTable {
  readonly caption: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly Child[])[];
}

/**
 * A chart as one accessible unit: the SVG is an image named by its heading and described in
 * words (role img, aria-labelledby/-describedby), followed by its legend and by its data as a
 * table (collapsed by default, one keystroke away): nothing is shown only as a picture.
 */
export function chartFigure(options: {
  readonly title: string;
  readonly summary: string;
  readonly svg: SVGSVGElement;
  readonly legend?: readonly LegendItem[];
  readonly table: DataTable;
  readonly className?: string;
}): HTMLElement {
  const titleId = uid('chart-title');
  const summaryId = uid('chart-summary');
  options.svg.setAttribute('role', 'img');
  options.svg.setAttribute('aria-labelledby', titleId);
  options.svg.setAttribute('aria-describedby', summaryId);
  options.svg.classList.add('chart');
  return h(
    'figure',
    { class: `chart-figure ${options.className ?? ''}`.trim() },
    h('h3', { id: titleId, class: 'chart-title' }, options.title),
    h('p', { id: summaryId, class: 'chart-summary' }, options.summary),
    options.svg,
    options.legend && options.legend.length > 0 ? legend(options.legend) : null,
    dataTable(options.table),
  );
}

export function swatch(color: string): SVGSVGElement {
  return s('svg', { width: 12, height: 12, viewBox: '0 0 12 12', 'aria-hidden': 'true', focusable: 'false', class: 'swatch' }, s('rect', { width: 12, height: 12, rx: 2, fill: color }));
}

function legend(items: readonly LegendItem[]): HTMLElement {
  return h(
    'ul',
    { class: 'legend', 'aria-label': 'Legend' },
    items.map((item) =>
      h('li', null, item.mark ? s('svg', { width: 14, height: 14, viewBox: '-7 -7 14 14', 'aria-hidden': 'true', focusable: 'false', class: 'swatch' }, item.mark) : swatch(item.color), item.label),
    ),
  );
}

function dataTable(table: DataTable): HTMLElement {
  return h(
    'details',
    { class: 'chart-data' },
    h('summary', null, `Data table: ${table.caption}`),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'data' },
        h('caption', { class: 'visually-hidden' }, table.caption),
        h('thead', null, h('tr', null, table.headers.map((header) => h('th', { scope: 'col' }, header)))),
        h(
          'tbody',
          null,
          table.rows.length === 0
            ? h('tr', null, h('td', { colspan: table.headers.length }, 'No data in this range'))
            : table.rows.map((row) => h('tr', null, row.map((cell, i) => (i === 0 ? h('th', { scope: 'row' }, cell) : h('td', { class: typeof cell === 'number' ? 'num' : null }, typeof cell === 'number' ? cell.toLocaleString('en-US') : cell))))),
        ),
      ),
    ),
  );
}
