import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { InputError } from '../../src/errors.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { networkFromJson, networkToJson } from '../../src/net/json.ts';
import { smallNetwork } from './networks.ts';
import { plainLoop, type JsonLayer } from '../support/plainLoop.ts';

const SEED = 31337;


test(`networkToJson -> JSON.stringify -> JSON.parse evaluated by a plain loop equals evaluate(net, float64) exactly ` +
  `(fast-check seed ${SEED})`, () => {
  fc.assert(
    fc.property(smallNetwork(), fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 30,
      maxLength: 30 }), (net, xs) => {
      const json = JSON.parse(JSON.stringify(networkToJson(net))) as { layers: JsonLayer[] };
      const nIn = net.inputs.length;
      const rows = Math.floor(xs.length / nIn);
      const lib = evaluate(net, xs.slice(0, rows * nIn));
      for (let i = 0; i < rows; i++) {
        const y = plainLoop(json.layers, xs.slice(i * nIn, (i + 1) * nIn))[0]!;
        assert.ok(y === lib[i], `row ${i}: plain loop ${y} !== evaluate ${lib[i]}`);
      }
    }),
    { seed: SEED, numRuns: 200 },
  );
});

test('networkFromJson(networkToJson(net)) gives back the same weights, biases, names and metadata', () => {
  fc.assert(
    fc.property(smallNetwork(), (net) => {
      const meta = { expr: 'x^2', domain: { x: [0, 1] }, error: { certifiedMax: 0.25, measuredMax: 0.25,
        measuredRms: 0.1 } };
      const back = networkFromJson(JSON.parse(JSON.stringify(networkToJson(net, meta))));
      assert.deepEqual(back.net.inputs, net.inputs);
      assert.deepEqual(back.net.outputs, net.outputs);
      back.net.layers.forEach((l, i) => {
        assert.deepEqual(Array.from(l.weights), Array.from(net.layers[i]!.weights));
        assert.deepEqual(Array.from(l.bias), Array.from(net.layers[i]!.bias));
        assert.equal(l.activation, net.layers[i]!.activation);
      });
      assert.deepEqual(back.meta.error, meta.error);
      assert.equal(back.meta.expr, 'x^2');
    }),
    { seed: SEED, numRuns: 50 },
  );
});

test('networkToJson has the documented fields: format, version 1, inputs, outputs, layers, dtype float64', () => {
  const net = fc.sample(smallNetwork(), { seed: SEED, numRuns: 1 })[0]!;
  const j = networkToJson(net);
  assert.equal(j.format, 'knotnet.network');
  assert.equal(j.version, 1);
  assert.equal(j.dtype, 'float64');
  assert.equal(j.layers[j.layers.length - 1]!.activation, 'linear');
  assert.equal(j.layers[0]!.weights[0]!.length, net.inputs.length);
});

const isInputError = (pattern: RegExp) => (e: unknown) => e instanceof InputError && pattern.test(e.message);

test('networkFromJson of malformed files is an InputError naming the field and the bad value', () => {
  const good = networkToJson(fc.sample(smallNetwork(), { seed: SEED, numRuns: 1 })[0]!);
  assert.throws(() => networkFromJson({ ...good, format: 'onnx' }),
    isInputError(/"format" must be "knotnet\.network" \(got "onnx"\)/));
  assert.throws(() => networkFromJson({ ...good, version: 2 }), isInputError(/"version" must be 1 \(got 2\)/));
  assert.throws(() => networkFromJson(null), isInputError(/"format"/));
  const badActivation = { ...good, layers: good.layers.map((l, i) => (i === 0 ? { ...l, activation: 'tanh' } : l)) };
  assert.throws(() => networkFromJson(badActivation),
    isInputError(/layers\[0\]\.activation must be "relu" or "linear" \(got "tanh"\)/));
  const badWeights = { ...good, layers: good.layers.map((l, i) => (i === 0 ? { ...l, weights: [[1, 2, 3, 4]] } : l)) };
  assert.throws(() => networkFromJson(badWeights),
    isInputError(/layers\[0\]\.weights must be rows of \d finite numbers/));
  const nanBias = { ...good, layers: good.layers.map((l, i) => (i === 0 ? { ...l, bias: l.bias.map(() => null) }
    : l)) };
  assert.throws(() => networkFromJson(nanBias), isInputError(/layers\[0\]\.bias must be \d+ finite numbers/));
});
