/** Compiles a generated WAT kernel with wabt (a devDependency: only build:kernels and the kernel tests need it). */
export async function compileWat(name: string, text: string): Promise<Uint8Array> {
  const { default: initWabt } = await import('wabt');
  const wabt = await initWabt();
  const mod = wabt.parseWat(name, text, { simd: true });
  try {
    mod.validate();
    return new Uint8Array(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}
