// ESLint (flat config): typescript-eslint and eslint-plugin-vue's recommended rules; formatting is
// Prettier's alone (eslint-config-prettier turns the overlapping rules off). `npm run lint`.
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import vue from 'eslint-plugin-vue'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      '.venv/**',
      '.venv-bigquery-emulator/**',
      'dbt_attribution/**',
      'test-results/**',
      'playwright-report/**',
      '.bench/**',
      '.bench-stream/**',
      '.bench-growth/**',
      '.tmp/**',
      'resources/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
  },
  {
    rules: {
      // TypeScript checks names already (typescript-eslint's advice), browser and Node globals included.
      'no-undef': 'off',
      // `_name` marks a value destructured away on purpose (as in the feed comparisons).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  prettier,
)
