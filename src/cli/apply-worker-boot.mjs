// Node worker-thread bootstrap for `shoal apply`: worker threads do not inherit tsx's loader,
// so register it here before importing the TypeScript worker entry.
import { register } from 'tsx/esm/api';

register();
await import('./apply-worker.ts');
