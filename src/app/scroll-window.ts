/**
 * Which rows a virtualized list shows for a scroll position, for lists taller than a browser
 * can lay out. An element's height is capped (≈ 33.5M px in Chromium): a 500,000-row list of
 * 76 px rows would need 38M px, and every row past the cap would be unreachable without a word.
 * Past `MAX_SCROLL_PX` the scroll range is scaled: the scrollbar spans the whole list, each
 * pixel of scrolling moves `scale` pixels of rows, and rows are placed relative to the
 * viewport's top so they stay `rowHeight` apart.
 */
export const MAX_SCROLL_PX = 10_000_000;

export interface ScrollWindow {
  /** Height of the scrolling spacer, in px (≤ MAX_SCROLL_PX). */
  spacerHeight: number;
  /** Rows first ≤ i < last are rendered. */
  first: number;
  last: number;
  /** Top of row i inside the spacer, in px. */
  topOf(i: number): number;
  /** The scrollTop that puts row i at the viewport's top (or bottom), clamped to the scroll range. */
  scrollTopFor(i: number, align?: 'top' | 'bottom'): number;
}

export function scrollWindow(opts: {
  count: number;
  rowHeight: number;
  viewport: number;
  scrollTop: number;
  overscan?: number;
}): ScrollWindow {
  const { count, rowHeight, overscan = 4 } = opts;
  const viewport = Math.max(0, opts.viewport);
  const full = count * rowHeight;
  const spacerHeight = Math.min(full, MAX_SCROLL_PX);
  const range = Math.max(0, spacerHeight - viewport);
  // Pixels of rows per pixel of scrolling: 1 while the list fits.
  const scale = range > 0 ? Math.max(0, full - viewport) / range : 1;
  const scrollTop = Math.min(Math.max(0, opts.scrollTop), range);
  const logicalTop = scrollTop * scale;
  const first = Math.max(0, Math.floor(logicalTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((logicalTop + viewport) / rowHeight) + overscan);
  return {
    spacerHeight,
    first,
    last,
    topOf: (i) => scrollTop + (i * rowHeight - logicalTop),
    scrollTopFor: (i, align = 'top') =>
      Math.min(range, Math.max(0, (align === 'top' ? i * rowHeight : (i + 1) * rowHeight - viewport) / scale)),
  };
}
