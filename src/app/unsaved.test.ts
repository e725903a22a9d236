import { describe, expect, it } from 'vitest';
import { guardUnload, hasUnsavedWork, trackUnsaved } from './unsaved.ts';

function fakeWindow() {
  let handler: ((e: BeforeUnloadEvent) => void) | null = null;
  return {
    target: {
      addEventListener: (type: string, h: (e: BeforeUnloadEvent) => void) => type === 'beforeunload' && (handler = h),
    } as unknown as Pick<Window, 'addEventListener'>,
    /** Fire beforeunload; true when the page asked to stay. */
    unload(): boolean {
      let prevented = false;
      const e = { preventDefault: () => (prevented = true), returnValue: undefined as unknown } as unknown as BeforeUnloadEvent;
      handler!(e);
      return prevented;
    },
  };
}

describe('unsaved work guard', () => {
  it('asks before unloading only while some registered owner has unsaved work', () => {
    const w = fakeWindow();
    guardUnload(w.target);
    expect(w.unload()).toBe(false);
    let dirty = false;
    const untrack = trackUnsaved(() => dirty);
    const untrackClean = trackUnsaved(() => false);
    expect(hasUnsavedWork()).toBe(false);
    expect(w.unload()).toBe(false);
    dirty = true;
    expect(hasUnsavedWork()).toBe(true);
    expect(w.unload()).toBe(true);
    // Its owner gone (an editor closed), its draft no longer holds the page.
    untrack();
    expect(w.unload()).toBe(false);
    untrackClean();
  });
});
