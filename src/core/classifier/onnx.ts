/**
 * ONNX export of the distilled classifier (written with onnx-proto, opset 17, IR 8) and the
 * JSON sidecar that says how to feed it.
 *
 * The graph takes the *stage-1* hashed features (featurize.ts `hashTexts`) in padded form, so a
 * consumer only re-implements tokenising and hashing; the learned parts (which buckets exist,
 * idf, L2 normalisation, weights) live inside the graph:
 *
 *   inputs   indices  int64   [N, L]  bucket ids (0 ≤ id < buckets), rows padded to a common L
 *            values   float32 [N, L]  signed sublinear tf per bucket; padding slots hold 0
 *   graph    cid   = Gather(remap, indices)            int32 compact ids, 0 for unseen buckets
 *            v     = values · Gather(idf, cid)          idf[0] = 0 drops unseen buckets
 *            vn    = v / max(‖v‖₂ per row, 1e-30)        TfidfVectorizer's norm='l2'
 *            logits = Σ_L vn · Gather(W, cid) + b
 *   outputs  probabilities float32 [N, k] (softmax), logits float32 [N, k]
 *
 * Padding with value 0 is inert whatever its index. Sparse inputs keep batches small: a dense
 * [N, buckets] input would be 1 MB per row at 2^18 buckets.
 */
import onnxProto from 'onnx-proto';
import type * as Ort from 'onnxruntime-web';
import { ShoalError } from '../types.ts';
import { CHAR_SEED, type Csr, TOKEN_FLAGS, TOKEN_PATTERN, WORD_SEED } from './featurize.ts';
import type { DistilledClassifier } from './model.ts';

const { onnx } = onnxProto;
type TensorProto = InstanceType<typeof onnx.TensorProto>;

const DT = onnx.TensorProto.DataType;

function bytesOf(a: Float32Array | Int32Array | BigInt64Array): Uint8Array {
  // ONNX raw_data is little-endian; every platform a browser runs on is too.
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

function tensor(name: string, dataType: number, dims: number[], data: Float32Array | Int32Array | BigInt64Array): TensorProto {
  return onnx.TensorProto.create({ name, dataType, dims, rawData: bytesOf(data) });
}

function node(opType: string, input: string[], output: string[], attrs: Record<string, number> = {}) {
  return onnx.NodeProto.create({
    opType,
    input,
    output,
    name: output[0],
    attribute: Object.entries(attrs).map(([name, i]) =>
      onnx.AttributeProto.create({ name, i, type: onnx.AttributeProto.AttributeType.INT }),
    ),
  });
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) => onnx.TensorShapeProto.Dimension.create(typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
        }),
      }),
    }),
  });
}

/** Serialise the classifier as an ONNX model (bytes of a ModelProto). */
export function exportOnnx(clf: DistilledClassifier): Uint8Array {
  const { vocab, model } = clf;
  const k = model.k;
  if (vocab.size !== model.dim) throw new ShoalError(`vocabulary has ${vocab.size} ids but the model has ${model.dim} weight rows`);
  const graph = onnx.GraphProto.create({
    name: 'shoal_distilled_classifier',
    node: [
      node('Gather', ['remap', 'indices'], ['cid'], { axis: 0 }),
      node('Gather', ['idf', 'cid'], ['idf_w'], { axis: 0 }),
      node('Mul', ['values', 'idf_w'], ['v']),
      node('Mul', ['v', 'v'], ['v2']),
      node('ReduceSum', ['v2', 'axis1'], ['ss'], { keepdims: 1 }),
      node('Sqrt', ['ss'], ['norm']),
      node('Max', ['norm', 'eps'], ['norm_safe']),
      node('Div', ['v', 'norm_safe'], ['vn']),
      node('Unsqueeze', ['vn', 'axis2'], ['vn3']),
      node('Gather', ['W', 'cid'], ['wg'], { axis: 0 }),
      node('Mul', ['wg', 'vn3'], ['contrib']),
      node('ReduceSum', ['contrib', 'axis1'], ['lin'], { keepdims: 0 }),
      node('Add', ['lin', 'b'], ['logits']),
      node('Softmax', ['logits'], ['probabilities'], { axis: 1 }),
    ],
    initializer: [
      tensor('remap', DT.INT32, [vocab.buckets], vocab.remap),
      tensor('idf', DT.FLOAT, [vocab.size], vocab.idf),
      tensor('W', DT.FLOAT, [model.dim, k], model.weights),
      tensor('b', DT.FLOAT, [k], model.bias),
      tensor('eps', DT.FLOAT, [], Float32Array.of(1e-30)),
      tensor('axis1', DT.INT64, [1], BigInt64Array.of(1n)),
      tensor('axis2', DT.INT64, [1], BigInt64Array.of(2n)),
    ],
    input: [valueInfo('indices', DT.INT64, ['N', 'L']), valueInfo('values', DT.FLOAT, ['N', 'L'])],
    output: [valueInfo('probabilities', DT.FLOAT, ['N', k]), valueInfo('logits', DT.FLOAT, ['N', k])],
  });
  const m = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: 17 })],
    producerName: 'shoal',
    producerVersion: '1',
    docString: 'Shoal distilled classifier; see the JSON sidecar for the featurization.',
    graph,
  });
  return onnx.ModelProto.encode(m).finish();
}

/** The sidecar JSON: everything needed to turn text into the graph's inputs. */
export function onnxSidecar(clf: DistilledClassifier) {
  const f = clf.features;
  return {
    format: 'shoal-distilled-classifier/1',
    classes: [...clf.classes],
    inputs: {
      indices: { dtype: 'int64', shape: ['N', 'L'], meaning: 'hash bucket of each distinct feature in the row; rows padded to a common L' },
      values: { dtype: 'float32', shape: ['N', 'L'], meaning: 'summed signed weight per bucket; 0 in padding slots' },
    },
    outputs: {
      probabilities: { dtype: 'float32', shape: ['N', clf.classes.length], meaning: 'softmax over classes, in the order of `classes`' },
      logits: { dtype: 'float32', shape: ['N', clf.classes.length] },
    },
    featurization: {
      lowercase: true,
      token_pattern: TOKEN_PATTERN,
      token_flags: TOKEN_FLAGS,
      word_ngrams: [...f.wordNgrams],
      word_ngram_join: ' ',
      char_ngrams: [...f.charNgrams],
      char_ngram_source: 'each token padded with one space on both sides (scikit-learn char_wb), n-grams over Unicode code points',
      char_weight: f.charWeight,
      hash: 'MurmurHash3_x86_32 of the UTF-8 bytes of the n-gram, as a signed int32 (Python: mmh3.hash(gram, seed))',
      hash_seeds: { word: WORD_SEED, char: CHAR_SEED },
      buckets: f.buckets,
      bucket_rule: 'bucket = abs(h) mod buckets; sign = -1 if h < 0 else +1',
      term_weight: f.sublinearTf ? 'sign * (1 + ln(count of the n-gram in the row))' : 'sign * count',
      bucket_value: 'sum of term weights (char n-grams multiplied by char_weight) of the distinct n-grams hashed to the bucket',
      inside_the_graph: 'unseen-bucket removal, idf weighting, L2 row normalisation, linear layer, softmax',
    },
  };
}

/** Rows [start, end) of stage-1 features as padded ONNX inputs. */
export function onnxInputs(raw: Csr, start = 0, end = raw.n): { indices: BigInt64Array; values: Float32Array; dims: [number, number] } {
  let width = 1;
  for (let i = start; i < end; i++) width = Math.max(width, raw.rowPtr[i + 1] - raw.rowPtr[i]);
  const rows = end - start;
  const indices = new BigInt64Array(rows * width);
  const values = new Float32Array(rows * width);
  for (let i = start; i < end; i++) {
    let q = (i - start) * width;
    for (let p = raw.rowPtr[i]; p < raw.rowPtr[i + 1]; p++, q++) {
      indices[q] = BigInt(raw.indices[p]);
      values[q] = raw.values[p];
    }
  }
  return { indices, values, dims: [rows, width] };
}

/**
 * Predict with onnxruntime-web. `ort` is injected (the caller imports 'onnxruntime-web' or
 * 'onnxruntime-web/wasm' and sets its wasm paths) so core stays free of bundler wiring.
 */
export async function predictOnnx(ort: typeof Ort, modelBytes: Uint8Array, raw: Csr, k: number, batchSize = 1024): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(modelBytes);
  try {
    const out = new Float32Array(raw.n * k);
    for (let start = 0; start < raw.n; start += batchSize) {
      const end = Math.min(raw.n, start + batchSize);
      const x = onnxInputs(raw, start, end);
      const res = await session.run(
        {
          indices: new ort.Tensor('int64', x.indices, x.dims),
          values: new ort.Tensor('float32', x.values, x.dims),
        },
        ['probabilities'],
      );
      out.set(res.probabilities.data as Float32Array, start * k);
    }
    return out;
  } finally {
    await session.release();
  }
}
