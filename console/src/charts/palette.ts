/**
 * Series colours, each at least 3:1 against white (WCAG 1.4.11 for graphics) and told apart by
 * more than hue alone: charts also label every value in a table and a tooltip.
 */
export const SERIES_COLORS = ['#1a56b8', '#b3261e', '#137333', '#7b1fa2', '#a14f00', '#00696b', '#5f6368', '#ad1457', '#303f9f', '#6d4c41'] as const;

export const seriesColor = (index: number): string => SERIES_COLORS[index % SERIES_COLORS.length] ?? '#1a56b8';

/** Decisions: green, amber, red, with distinct shapes on the timeline. */
export const DECISION_COLORS = { ALLOW: '#137333', PARTIAL: '#a14f00', DENY: '#b3261e' } as const;

export const AXIS_COLOR = '#5f6368';
export const GRID_COLOR = '#e3e6ea';
export const TEXT_COLOR = '#1b1f24';
