/**
 * tfjs engine for the MeTaL objective: the same loss as Snorkel's `_loss_mu`, written densely
 * with tfjs ops and differentiated by tfjs, optimised with tfjs' momentum SGD (same update rule
 * as torch.optim.SGD). Runs on whichever tfjs backend is active (webgpu / webgl / wasm / cpu,
 * chosen by core/backend.ts). Reads results back with `await data()` — `dataSync()` returns
 * zeros on WebGPU over SwiftShader.
 */
import type { Scalar } from '@tensorflow/tfjs';
import { getTf, readFloats, selectBackend } from '../backend.ts';
import type { MetalEngine } from './metal-engine.ts';
import type { MetalProblem } from './metal-problem.ts';
import type { MetalTrainConfig } from './metal-typed.ts';

function blockMask(d: number, k: number): Float32Array {
  const mask = new Float32Array(d * d).fill(1);
  for (let a = 0; a < d; a++) {
    const start = Math.floor(a / k) * k;
    for (let b = start; b < start + k; b++) mask[a * d + b] = 0;
  }
  return mask;
}

const tf = getTf();

async function train(mu: Float64Array, pr: MetalProblem, cfg: MetalTrainConfig): Promise<Float64Array> {
  const { d, k } = pr;
  const diagO = new Float32Array(d);
  for (let a = 0; a < d; a++) diagO[a] = pr.O[a * d + a];
  const O = tf.tensor2d(Float32Array.from(pr.O), [d, d]);
  const mask = tf.tensor2d(blockMask(d, k), [d, d]);
  const OMasked = tf.mul(O, mask);
  const p = tf.tensor1d(Float32Array.from(pr.p));
  const diag = tf.tensor1d(diagO);
  const muInit = tf.tensor2d(Float32Array.from(pr.muInit), [d, k]);
  const muVar = tf.variable(tf.tensor2d(Float32Array.from(mu), [d, k]), true, `metal_mu_${Math.random().toString(36).slice(2)}`);
  const optimizer = tf.train.momentum(cfg.lr, cfg.momentum);
  const l2 = cfg.l2;
  try {
    for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      if (cfg.signal?.aborted) throw cfg.signal.reason ?? new Error('cancelled');
      optimizer.minimize(
        () =>
          tf.tidy(() => {
            const muP = tf.mul(muVar, p); // μP (P diagonal)
            const A = tf.matMul(muP, muVar, false, true);
            const loss1 = tf.sum(tf.square(tf.sub(OMasked, tf.mul(A, mask))));
            const loss2 = tf.sum(tf.square(tf.sub(tf.sum(muP, 1), diag)));
            let loss = tf.add(loss1, loss2);
            if (l2 !== 0) loss = tf.add(loss, tf.mul(l2 * l2, tf.sum(tf.square(tf.sub(muVar, muInit)))));
            return loss as Scalar;
          }),
        false,
        [muVar],
      );
      cfg.onEpoch?.(epoch);
    }
    return Float64Array.from(await readFloats(muVar));
  } finally {
    optimizer.dispose();
    tf.dispose([O, mask, OMasked, p, diag, muInit, muVar]);
  }
}

export async function createTfjsEngine(): Promise<MetalEngine> {
  const choice = await selectBackend();
  return { name: 'tfjs', label: `tfjs-${choice.name}`, train };
}
