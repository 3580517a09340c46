// knotnet from TypeScript: the same program with its types (tsc --noEmit --strict checks it).
import { approximate, compileFormula, InputError, type CompileResult } from 'knotnet';
import { toOnnx } from 'knotnet/export';

const sqrt = approximate({ expr: 'sqrt(x)', domain: [0, 1], size: { kind: 'maxError', error: 1e-4 } });
console.log(`sqrt: ${sqrt.segments} ReLUs, certified max error ${sqrt.certifiedMax.toPrecision(4)}`);

const product: CompileResult = compileFormula({ expr: 'x*y', vars: { x: [0, 1], y: [0, 1] }, maxError: 1e-3 });
console.log(`x*y: certified max error ${product.certifiedMax.toPrecision(4)}`);

const onnx: Uint8Array = toOnnx(product.network, { dtype: 'float64' });
console.log(`x*y.onnx: ${onnx.length > 0 ? 'ready' : 'empty'}`);

try {
  approximate({ expr: 'sqrt(x)', domain: [1, 0], size: { kind: 'knots', segments: 4 } });
} catch (e) {
  if (e instanceof InputError) console.log(`${e.field} ${e.code}`);
}
