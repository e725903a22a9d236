/**
 * Browser entry of the train worker: tfjs (label model, classifier) and onnxruntime-web run
 * here, off the page's thread. `tf-browser.ts` must load first: it tells tfjs-wasm and ORT where
 * vite put their .wasm files and turns off threaded tfjs-wasm.
 */
import * as Comlink from 'comlink';
import { ort } from './tf-browser.ts';
import { createTrainWorkerApi } from './train-worker-api.ts';

Comlink.expose(createTrainWorkerApi({ ort, transfer: Comlink.transfer }));
