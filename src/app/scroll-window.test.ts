import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SCROLL_PX, scrollWindow } from './scroll-window.ts';

describe('scroll window', () => {
  it('is the plain virtual list while the list fits', () => {
    const w = scrollWindow({ count: 1000, rowHeight: 76, viewport: 600, scrollTop: 7600, overscan: 0 });
    expect(w.spacerHeight).toBe(76_000);
    expect([w.first, w.last]).toEqual([100, 108]);
    expect(w.topOf(100)).toBe(7600);
    expect(w.scrollTopFor(100)).toBe(7600);
  });

  it('reaches the last of 500,000 tall rows, with the spacer under the browser limit', () => {
    const count = 500_000;
    const w0 = scrollWindow({ count, rowHeight: 76, viewport: 600, scrollTop: 0, overscan: 0 });
    expect(w0.spacerHeight).toBe(MAX_SCROLL_PX);
    const end = scrollWindow({ count, rowHeight: 76, viewport: 600, scrollTop: MAX_SCROLL_PX, overscan: 0 });
    expect(end.last).toBe(count);
    // The last row sits at the bottom of the viewport.
    expect(end.topOf(count - 1) + 76).toBeCloseTo(MAX_SCROLL_PX, 6);
  });

  it('shows every row of the viewport, rows rowHeight apart, and scrollTopFor brings a row to the top (seeded)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3_000_000 }),
        fc.integer({ min: 20, max: 200 }),
        fc.integer({ min: 100, max: 2000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (count, rowHeight, viewport, at) => {
          const probe = scrollWindow({ count, rowHeight, viewport, scrollTop: 0 });
          const scrollTop = at * Math.max(0, probe.spacerHeight - viewport);
          const w = scrollWindow({ count, rowHeight, viewport, scrollTop, overscan: 0 });
          // Rendered rows cover the viewport [scrollTop, scrollTop + viewport).
          if (w.last > w.first) {
            expect(w.topOf(w.first)).toBeLessThanOrEqual(scrollTop + 1e-6);
            expect(w.topOf(w.last - 1) + rowHeight).toBeGreaterThanOrEqual(Math.min(scrollTop + viewport, w.spacerHeight) - 1e-6);
            expect(w.topOf(w.first + 1) - w.topOf(w.first)).toBeCloseTo(rowHeight, 6);
          }
          const row = Math.floor(at * (count - 1));
          const jump = scrollWindow({ count, rowHeight, viewport, scrollTop: w.scrollTopFor(row), overscan: 0 });
          expect(row).toBeGreaterThanOrEqual(jump.first);
          expect(row).toBeLessThan(Math.max(jump.last, jump.first + 1));
          // …and to the bottom: the row's bottom edge meets the viewport's (unless clamped at the top).
          const down = scrollWindow({ count, rowHeight, viewport, scrollTop: w.scrollTopFor(row, 'bottom'), overscan: 0 });
          if (w.scrollTopFor(row, 'bottom') > 0)
            expect(down.topOf(row) + rowHeight).toBeCloseTo(w.scrollTopFor(row, 'bottom') + viewport, 3);
        },
      ),
      { seed: 7, numRuns: 500 },
    );
  });
});
