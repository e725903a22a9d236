/**
 * Two-tab detection. Each tab says hello on a BroadcastChannel; a tab that hears a hello
 * answers, so both learn of each other and the UI can warn that edits in two tabs race.
 * Where BroadcastChannel is missing (old browsers, some test environments) this is a no-op.
 */
import { newId } from './types.ts';

interface TabMessage {
  type: 'hello' | 'here';
  tabId: string;
}

/** Start announcing; `onOther` gets the id of each other tab seen. Returns a stop function. */
export function watchOtherTabs(channelName: string, onOther: (tabId: string) => void, tabId = newId('tab')): () => void {
  const BC = (globalThis as { BroadcastChannel?: typeof BroadcastChannel }).BroadcastChannel;
  if (!BC) return () => {};
  const ch = new BC(channelName);
  const seen = new Set<string>();
  ch.onmessage = (ev: MessageEvent<TabMessage>) => {
    const m = ev.data;
    if (!m || typeof m.tabId !== 'string' || m.tabId === tabId) return;
    if (m.type === 'hello') ch.postMessage({ type: 'here', tabId } satisfies TabMessage);
    if (!seen.has(m.tabId)) {
      seen.add(m.tabId);
      onOther(m.tabId);
    }
  };
  ch.postMessage({ type: 'hello', tabId } satisfies TabMessage);
  return () => ch.close();
}
