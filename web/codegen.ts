// Generates typed documents from the committed SDL (`../api/schema.graphql`, the source of
// truth for names). Run `npm run codegen` after the schema or a query changes; the output
// in src/gql/ is committed so builds never need a running API.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../api/schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*'],
  ignoreNoDocuments: false,
  generates: {
    './src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        enumsAsTypes: true,
        // Only what the app's operations use: API additions do not change the output.
        onlyOperationTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false, object: false },
        scalars: { DateTime: 'string', JSON: 'unknown', ID: 'string' },
        strictScalars: true,
        skipTypename: true,
      },
    },
  },
};

export default config;
