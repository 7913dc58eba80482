import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'drizzle/', 'coverage/', '.podsync/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='describe'][property.name=/^(skip|only|todo)$/]",
          message: 'no skipped or focused tests on main',
        },
        {
          selector: "MemberExpression[object.name='it'][property.name=/^(skip|only|todo)$/]",
          message: 'no skipped or focused tests on main',
        },
        {
          selector: "MemberExpression[object.name='test'][property.name=/^(skip|only|todo)$/]",
          message: 'no skipped or focused tests on main',
        },
      ],
    },
  },
);
