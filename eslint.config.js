// typescript-eslint's strict type-checked rules over src, test, bench and examples.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'scratch/**', 'docs/**', 'bin/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      // Numbers in messages are what error messages are made of.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // Bit twiddling on u32 values (Philox, f16, radix keys) is the point of several files.
      'no-bitwise': 'off',
      '@typescript-eslint/no-unnecessary-condition': ['error', { allowConstantLoopConditions: true }],
      // DeviceArray.length is deprecated for users (`size` is NumPy's name) but gpukit's own code keeps it.
      '@typescript-eslint/no-deprecated': ['error', { allow: [{ from: 'file', name: 'length', path: 'src/buffers/device-array.ts' }] }],
      // An op's old positional form is an overload of its own, marked @deprecated, so editors strike it out.
      '@typescript-eslint/unified-signatures': ['error', { ignoreOverloadsWithDifferentJSDoc: true }],
    },
  },
  {
    // The public exports include ops whose old positional forms are deprecated overloads (still supported).
    files: ['src/index.ts'],
    rules: { '@typescript-eslint/no-deprecated': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests assert on values typed loosely on purpose (wrong arguments, `as never`).
      '@typescript-eslint/no-unsafe-argument': 'off',
      // gpuTest bodies are async by the fixture's signature, whether or not they await.
      '@typescript-eslint/require-await': 'off',
      // The ops' deprecated positional forms stay supported, and the tests exercise them on purpose.
      '@typescript-eslint/no-deprecated': 'off',
    },
  },
  { files: ['eslint.config.js', 'vitest.config.ts', 'vitest.stryker.config.ts', 'stryker.config.mjs'], ...tseslint.configs.disableTypeChecked },
);
