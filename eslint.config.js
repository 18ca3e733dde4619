import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import architecture from './lint/boundaries.js';

/** Who may import what (docs/architecture.md): data flows request -> command -> events -> projectors -> read models. */
const layers = [
  { from: 'src/domain', only: ['src/domain'], why: 'the domain is pure functions: commands, events and deciders' },
  {
    from: 'projections',
    deny: ['src/http', 'src/chat', 'src/llm'],
    why: 'projectors depend on event types and their write interface only',
  },
  {
    from: 'src/http',
    deny: ['projections', 'src/db'],
    // The connection's type (the request's entity manager) and what an outage looks like are all HTTP needs.
    allow: ['src/db/connect-database', 'src/db/database-unavailable'],
    why: 'routes parse, call a command or a query, and answer; read models and the database are behind those',
  },
  {
    from: 'src/llm',
    deny: [
      'src/db',
      'src/event-store',
      'projections',
      'src/queries',
      'src/commands',
      '@mikro-orm',
      'better-sqlite3',
      'pg',
    ],
    why: 'the llama.cpp client knows no database',
  },
  {
    name: 'projectors',
    // The projectors and what they compute with; the implementations of the writes (projections/*-writes.ts) hold
    // the connection.
    from: [
      'projections/*.projector.ts',
      'projections/projector.ts',
      'projections/projectors.ts',
      'projections/read-model-writes.ts',
      'projections/message-tree.ts',
    ],
    deny: ['@mikro-orm', 'src/db', 'better-sqlite3', 'pg'],
    why: 'projectors write through the ReadModelWrites they are given, never on a connection of their own',
  },
  { from: 'src/event-store', deny: ['projections'], why: 'the event store runs the projectors it is given' },
  { from: 'src/db', deny: ['projections', 'src/event-store'], why: 'src/db is the low level: connections and SQL' },
];

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'data/', 'node_modules/', 'clients/typescript/api-types.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.ts', 'projections/**/*.ts'],
    plugins: { architecture },
    rules: { 'architecture/boundaries': ['error', layers] },
  },
  {
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
