// The linter: typescript-eslint's recommended rules with type information,
// over the core (src/), the nodes and the editor plugin; prettier keeps the
// layout. `npm test` runs both, so that CI fails on a new finding. What is
// turned off, and why:
// - no-unsafe-declaration-merging: every emitter declares its events in an
//   interface merged with its class (`on(event: 'report', ...)`), the typed
//   EventEmitter idiom of Node's own typings.
// - no-this-alias, in nodes/: a Node-RED node's constructor keeps `this` as
//   `node` for the closures it registers, as every core node does.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/**', 'bench/**', 'scripts/**', 'examples/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unsafe-declaration-merging': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  { files: ['nodes/**/*.ts'], rules: { '@typescript-eslint/no-this-alias': 'off' } },
);
