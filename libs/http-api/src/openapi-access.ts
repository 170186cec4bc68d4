import type { OpenAPIObject, OperationObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import type { RouteAccess } from './route-access';

/** The JSON schema of every error body (RFC 9457 problem details). */
export const PROBLEM_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string', example: 'urn:yipanqi:problem:VALIDATION_FAILED' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: {
      type: 'string',
      description: 'stable identifier to branch on; the codes are listed in docs/api-errors.md',
    },
    detail: { type: 'string', description: 'for people; wording may change' },
    errors: {
      type: 'array',
      description: 'per-field findings of a validation failure',
      items: {
        type: 'object',
        required: ['field', 'problem'],
        properties: { field: { type: 'string' }, problem: { type: 'string' } },
      },
    },
  },
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

function problem(description: string): ResponseObject {
  return {
    description,
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  };
}

/**
 * Adds to an OpenAPI document what the route decorators know and Nest's
 * generator leaves out: which routes need a bearer token and which roles may
 * call them (`x-roles`), and the problem+json answers every route can give.
 * Flow-specific codes (409, 422, …) are in docs/api-errors.md; `default`
 * points there.
 */
export function describeAccessAndProblems(
  document: OpenAPIObject,
  routes: RouteAccess[],
): OpenAPIObject {
  const access = new Map(
    routes.map((r) => {
      const [method, path] = r.route.split(' ');
      return [`${method.toLowerCase()} ${path.replace(/:(\w+)/g, '{$1}') || '/'}`, r];
    }),
  );
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation: (OperationObject & { 'x-roles'?: string[] }) | undefined = item[method];
      if (!operation) continue;
      const route = access.get(`${method} ${path}`);
      const answers: Record<string, ResponseObject> = {};
      const takesInput =
        operation.requestBody !== undefined || (operation.parameters ?? []).length > 0;
      if (takesInput) {
        answers['400'] = problem(
          'the request is not what this route takes: VALIDATION_FAILED (per field in `errors`), UNKNOWN_FIELD, MALFORMED_JSON, or a field-specific code such as ID_NUMBER_CHECK_DIGIT',
        );
      }
      if (route && !route.isPublic) {
        operation.security = [{ bearer: [] }];
        operation['x-roles'] = route.roles ?? [];
        answers['401'] = problem(
          'UNAUTHENTICATED (no bearer token) or TOKEN_INVALID (unknown or revoked)',
        );
        answers['403'] = problem(
          `FORBIDDEN: the token's role is not ${(route.roles ?? []).join(' or ')}`,
        );
      } else if (route?.isPublic) {
        operation.security = [];
      }
      if (path.includes('{'))
        answers['404'] = problem('nothing with that id (a specific *_NOT_FOUND code)');
      if (operation.requestBody !== undefined) {
        answers['413'] = problem('BODY_TOO_LARGE: the body is over the limit');
      }
      answers.default = problem('any other problem of this route; codes in docs/api-errors.md');
      operation.responses = { ...answers, ...operation.responses };
    }
  }
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, Problem: PROBLEM_SCHEMA },
  };
  return document;
}
