import next from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

const config = [
  ...next,
  ...nextTs,
  {
    ignores: ['lib/inference/speech/vendor/**', '.next/**', '.eval/**', '.bench/**', '.gpukit/**', 'node_modules/**', 'public/ort/**', 'next-env.d.ts', 'data/**', 'out/**', 'tests/fixtures/**'],
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
];

export default config;
