import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

function ajv(options: Options): Ajv {
  const instance = new Ajv({
    allErrors: false,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
    ...options,
  });
  addFormats.default(instance);
  return instance;
}

/**
 * JSON bodies are validated as sent: a number is not a string and an array is not a role. Query
 * strings, path parameters and headers arrive as text, so they are coerced to the schema's types.
 */
export function partAwareValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = ajv({ coerceTypes: false });
  const coercing = ajv({ coerceTypes: 'array' });
  // Fastify reads `validate.errors` from a compiled ajv function that returns false.
  // Route schemas are JSON Schema objects (TypeBox builds them), which is what ajv compiles.
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as object);
}
