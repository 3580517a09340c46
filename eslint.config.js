// ESLint for the house rules (docs/DESIGN.md, "House rules"): errors for real bugs only,
// warnings for the two size rules (functions of at most 60 lines, lines of at most 120
// characters), so `npm run lint` prints the warnings and fails only on errors.
// Syntax-level only (no type information), so it runs in seconds.
import { builtinRules } from 'eslint/use-at-your-own-risk';
import tseslint from 'typescript-eslint';

/** ESLint's recommended rules that are style or that TypeScript already checks: left off. */
const NOT_BUGS = new Set([
  'no-empty', 'no-useless-escape', 'no-prototype-builtins', 'no-case-declarations', 'no-extra-boolean-cast',
  'no-regex-spaces', 'no-irregular-whitespace', 'no-unused-vars', 'no-undef', 'no-redeclare', 'no-dupe-class-members',
  'no-useless-assignment', 'preserve-caught-error', 'no-constant-condition', 'no-control-regex', 'no-unused-labels',
  'no-empty-pattern', 'no-useless-catch',
  // Tabulated constants are written with the digits of their source (Gauss–Legendre nodes).
  'no-loss-of-precision',
]);

/** ESLint's recommended rules that flag code which does not do what it says. */
const bugRules = Object.fromEntries([...builtinRules]
  .filter(([name, rule]) => rule.meta?.docs?.recommended && !rule.meta?.deprecated && !NOT_BUGS.has(name))
  .map(([name]) => [name, 'error']));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'docs/api/**', 'test/package/fixtures/**'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'test/**/*.mjs', 'bench/**/*.ts', 'scripts/**/*.ts', 'eslint.config.js'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      ...bugRules,
      // Unused names are dead code, not wrong code: shown, not failed.
      '@typescript-eslint/no-unused-vars': ['warn', { args: 'none', caughtErrors: 'none', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-dupe-class-members': 'error',
      '@typescript-eslint/no-unsafe-declaration-merging': 'error',
      '@typescript-eslint/no-misused-new': 'error',
      '@typescript-eslint/no-unsafe-function-type': 'error',
      '@typescript-eslint/no-duplicate-enum-values': 'error',
      '@typescript-eslint/no-extra-non-null-assertion': 'error',
      '@typescript-eslint/no-non-null-asserted-optional-chain': 'error',
      '@typescript-eslint/prefer-as-const': 'error',
      'no-self-compare': 'error',
      'no-template-curly-in-string': 'error',
      'array-callback-return': 'error',
      'max-lines-per-function': ['warn', { max: 60, skipBlankLines: false, skipComments: false, IIFEs: true }],
      'max-len': ['warn', { code: 120, ignoreUrls: true }],
    },
  },
);
