/**
 * Writes docs/noisy-sin.csv, the sample data of the README's `fit` section: y = sin(x) plus
 * uniform noise in [−0.05, 0.05] (a seeded Park–Miller generator) at 2,000 points of [0, 2π].
 * Run: node --import tsx bench/noisy-sin.ts
 */
import { writeFileSync } from 'node:fs';
import { noisySin } from './fitdata.ts';

const { x, y } = noisySin(2000, 0.05, 7);
const lines = ['x,y'];
for (let i = 0; i < x.length; i++) lines.push(`${x[i]},${y[i]}`);
writeFileSync(new URL('../docs/noisy-sin.csv', import.meta.url), `${lines.join('\n')}\n`);
