// knotnet from plain JavaScript (Node 20+): node examples/quickstart.mjs
import { writeFileSync } from 'node:fs';
import { approximate, compileFormula, InputError } from 'knotnet';
import { toOnnx } from 'knotnet/export';

// One variable: sqrt on [0, 1] to a certified max error of 1e-4.
const sqrt = approximate({ expr: 'sqrt(x)', domain: [0, 1], size: { kind: 'maxError', error: 1e-4 } });
console.log(`sqrt: ${sqrt.segments} ReLUs, certified max error ${sqrt.certifiedMax.toPrecision(4)}`);

// Several inputs: x·y on the unit square, compiled into one network.
const product = compileFormula({ expr: 'x*y', vars: { x: [0, 1], y: [0, 1] }, maxError: 1e-3 });
console.log(`x*y: certified max error ${product.certifiedMax.toPrecision(4)}`);

// An ONNX model is bytes: the program decides where they go.
writeFileSync('xy.onnx', toOnnx(product.network, { dtype: 'float64' }));

// Bad options throw an InputError with a stable field and code.
try {
  approximate({ expr: 'sqrt(x)', domain: [1, 0], size: { kind: 'knots', segments: 4 } });
} catch (e) {
  if (e instanceof InputError) console.log(`${e.field} ${e.code}`);
}
