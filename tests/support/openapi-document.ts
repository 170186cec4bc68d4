import { RequestMethod, Type } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { OpenAPIObject, OperationObject, ResponseObject } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { configureHttpApi, openApiDocument } from '@yipanqi/http-api';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * The OpenAPI document an app serves, built by the app's own function over its
 * controllers, whose services are stand-ins: the document is read from the
 * decorators, so no broker or database is needed.
 */
export async function documentOf(controllers: Type[]): Promise<OpenAPIObject> {
  const module = await Test.createTestingModule({ controllers })
    .useMocker(() => ({}))
    .compile();
  const app = module.createNestApplication<NestExpressApplication>({ logger: false });
  configureHttpApi(app);
  try {
    return openApiDocument(app, 'test', 'test');
  } finally {
    await app.close();
  }
}

/**
 * What is wrong with the success answers of a document: each operation must
 * declare a 2xx answer with a description, and each 2xx answer but 204 must
 * carry a schema whose `$ref`s resolve. One line per finding; none when all
 * is well.
 */
export function successAnswerFindings(document: OpenAPIObject): string[] {
  const schemas = document.components?.schemas ?? {};
  const seen = new Set<string>();
  const unresolved = (value: unknown): string[] => {
    if (Array.isArray(value)) return value.flatMap(unresolved);
    if (value === null || typeof value !== 'object') return [];
    return Object.entries(value).flatMap(([key, inner]) => {
      if (key !== '$ref') return unresolved(inner);
      const name = String(inner).replace('#/components/schemas/', '');
      if (!(name in schemas)) return [String(inner)];
      if (seen.has(name)) return [];
      seen.add(name);
      return unresolved(schemas[name]);
    });
  };
  const findings: string[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation: OperationObject | undefined = item[method];
      if (!operation) continue;
      const route = `${method.toUpperCase()} ${path}`;
      const success = Object.entries(operation.responses).filter(([status]) =>
        /^2\d\d$/.test(status),
      );
      if (success.length === 0) findings.push(`${route}: no 2xx answer`);
      for (const [status, answer] of success) {
        if (!(answer as ResponseObject).description)
          findings.push(`${route} ${status}: no description`);
        if (status === '204') continue;
        const content = Object.entries((answer as ResponseObject).content ?? {});
        if (content.length === 0) findings.push(`${route} ${status}: no schema`);
        for (const [type, media] of content) {
          if (!media.schema) findings.push(`${route} ${status} ${type}: no schema`);
          for (const ref of unresolved(media.schema)) {
            findings.push(`${route} ${status}: ${ref} does not resolve`);
          }
        }
      }
    }
  }
  return findings;
}

/** How many operations a document has. */
export function operationCount(document: OpenAPIObject): number {
  return Object.values(document.paths).flatMap((item) =>
    METHODS.filter((method) => item[method] !== undefined),
  ).length;
}

/**
 * Routes whose documented success statuses leave out the status the route
 * answers (its `@HttpCode`, else Nest's default: 201 for POST, 200 otherwise).
 */
export function statusFindings(document: OpenAPIObject, controllers: Type[]): string[] {
  return controllers.flatMap((controller) => {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const prototype = controller.prototype as Record<string, object>;
    return Object.getOwnPropertyNames(prototype)
      .map((name) => prototype[name])
      .filter((handler) => Reflect.getMetadata(PATH_METADATA, handler) !== undefined)
      .flatMap((handler) => {
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        const path = ['', base, String(Reflect.getMetadata(PATH_METADATA, handler))]
          .join('/')
          .replace(/\/+/g, '/')
          .replace(/\/$/, '')
          .replace(/:(\w+)/g, '{$1}');
        const operation: OperationObject | undefined =
          document.paths[path || '/']?.[method.toLowerCase() as (typeof METHODS)[number]];
        // routes left out of the document (the dashboard, /metrics) have nothing to check
        if (!operation) return [];
        const answers =
          (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ??
          (method === 'POST' ? 201 : 200);
        return String(answers) in operation.responses
          ? []
          : [
              `${method} ${path}: answers ${answers}, documents ${
                Object.keys(operation.responses)
                  .filter((s) => /^2/.test(s))
                  .join(', ') || 'no 2xx'
              }`,
            ];
      });
  });
}
