/**
 * Storage failures as one sentence a user can act on. IndexedDB reports a full disk as a
 * DOMException named QuotaExceededError, but Dexie often hands it over wrapped (an AbortError
 * of the transaction whose `inner` is the quota error, or a BulkError with `failures`), so we
 * search the whole chain.
 */
import { ShoalError } from '../core/types.ts';

export class StorageFullError extends ShoalError {
  /** `action` names what was being saved; `plural` when it reads as plural ("the gold labels"). */
  constructor(action: string, plural = false) {
    super(
      `Browser storage is full, so ${action} ${plural ? 'were' : 'was'} not saved (earlier data is intact); delete old projects, datasets or runs, or allow persistent storage, then try again.`,
    );
    this.name = 'StorageFullError';
  }
}

/** True if `e` or anything it wraps is a quota error. */
export function isQuotaError(e: unknown, depth = 0): boolean {
  if (!e || typeof e !== 'object' || depth > 6) return false;
  const x = e as { name?: unknown; code?: unknown; inner?: unknown; cause?: unknown; failures?: unknown; message?: unknown };
  // Our own wrapper counts too: callers above the storage ask whether a failure was the disk.
  if (x.name === 'QuotaExceededError' || x.name === 'StorageFullError' || x.code === 22 || x.code === 1014) return true;
  if (x.name === 'NS_ERROR_DOM_QUOTA_REACHED') return true;
  if (typeof x.message === 'string' && /quota/i.test(x.message) && /exceed/i.test(x.message)) return true;
  if (isQuotaError(x.inner, depth + 1) || isQuotaError(x.cause, depth + 1)) return true;
  if (Array.isArray(x.failures)) return x.failures.some((f) => isQuotaError(f, depth + 1));
  return false;
}

/** Run a write; a quota failure becomes a StorageFullError naming what was being saved. */
export async function guardWrite<T>(action: string, fn: () => Promise<T>, plural = false): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isQuotaError(e)) throw new StorageFullError(action, plural);
    throw e;
  }
}
