/** mathjs's single-file distribution (see src/expr/mathjs.ts), typed by mathjs's own declarations. */
declare module 'mathjs/lib/browser/math.js' {
  const math: import('mathjs').MathJsInstance;
  export default math;
}
