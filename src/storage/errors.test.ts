import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import { guardWrite, isQuotaError, StorageFullError } from './errors.ts';
import { estimateUsage, formatBytes, requestPersistence } from './persist.ts';

const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

describe('quota errors', () => {
  it('are recognised bare and however Dexie wraps them', () => {
    expect(isQuotaError(quota())).toBe(true);
    expect(isQuotaError(new Dexie.AbortError('Transaction aborted', quota()))).toBe(true);
    expect(isQuotaError(new Dexie.BulkError('1 of 2 failed', [new Error('x'), quota()]))).toBe(true);
    expect(isQuotaError(new Error('wrapper', { cause: new Dexie.AbortError('abort', quota()) }))).toBe(true);
    expect(isQuotaError(new Dexie.AbortError('Transaction aborted', new Error('constraint')))).toBe(false);
    expect(isQuotaError(new Error('disk'))).toBe(false);
    expect(isQuotaError(null)).toBe(false);
    // Already translated by guardWrite: still a full disk to the app layer.
    expect(isQuotaError(new StorageFullError('LF "free"'))).toBe(true);
  });

  it('become one sentence naming what was not saved; other errors pass through', async () => {
    const err = await guardWrite('LF "free"', async () => {
      throw new Dexie.AbortError('Transaction aborted', quota());
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageFullError);
    expect((err as Error).message).toBe(
      'Browser storage is full, so LF "free" was not saved (earlier data is intact); delete old projects, datasets or runs, or allow persistent storage, then try again.',
    );
    const many = await guardWrite(
      'the gold labels',
      async () => {
        throw quota();
      },
      true,
    ).catch((e: unknown) => e);
    expect((many as Error).message).toMatch(/^Browser storage is full, so the gold labels were not saved \(earlier data is intact\);/);
    const other = new Error('constraint');
    await expect(
      guardWrite('x', async () => {
        throw other;
      }),
    ).rejects.toBe(other);
  });
});

describe('persistent storage helpers', () => {
  it('answer null where the API is missing (Node)', async () => {
    expect(await requestPersistence()).toBeNull();
    expect(await estimateUsage()).toEqual({ usage: null, quota: null, persisted: null });
  });

  it('ask once and report usage where it exists', async () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    let asked = 0;
    Object.defineProperty(globalThis, 'navigator', {
      configurable: true,
      value: {
        storage: {
          persisted: async () => asked > 0,
          persist: async () => (++asked, true),
          estimate: async () => ({ usage: 1_234_567, quota: 10_800_000_000 }),
        },
      },
    });
    try {
      expect(await requestPersistence()).toBe(true);
      expect(await requestPersistence()).toBe(true);
      expect(asked).toBe(1);
      expect(await estimateUsage()).toEqual({ usage: 1_234_567, quota: 10_800_000_000, persisted: true });
    } finally {
      if (saved) Object.defineProperty(globalThis, 'navigator', saved);
      else delete (globalThis as { navigator?: unknown }).navigator;
    }
    expect(formatBytes(1_234_567)).toBe('1.2 MB');
    expect(formatBytes(10_800_000_000)).toBe('11 GB');
    expect(formatBytes(null)).toBe('unknown');
  });
});
