import { INestApplication, Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { describeAccessAndProblems } from './openapi-access';
import { routeAccess } from './route-access';

/**
 * The app's OpenAPI document. Request bodies come from the DTO classes;
 * success answers from each route's `@ApiResponse` decorators and the view
 * classes they name, declared explicitly because tests run without the Nest
 * CLI's swagger plugin; who may call each route and its problem answers come
 * from the route decorators.
 */
export function openApiDocument(
  app: INestApplication,
  title: string,
  description: string,
): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(title)
    .setDescription(description)
    .addBearerAuth()
    .build();
  const controllers = [...app.get(ModulesContainer).values()].flatMap((module) =>
    [...module.controllers.values()].map((wrapper) => wrapper.metatype as Type),
  );
  return describeAccessAndProblems(
    SwaggerModule.createDocument(app, config),
    routeAccess(controllers),
  );
}

/**
 * Serves the app's OpenAPI description at /api/docs (page) and
 * /api/docs-json (document), readable without a token: it describes the
 * routes, not data.
 */
export function serveOpenApi(app: INestApplication, title: string, description: string): void {
  SwaggerModule.setup('api/docs', app, () => openApiDocument(app, title, description));
}
