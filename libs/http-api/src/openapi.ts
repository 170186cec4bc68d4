import { INestApplication, Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { describeAccessAndProblems } from './openapi-access';
import { routeAccess } from './route-access';

/**
 * Serves the app's OpenAPI description at /api/docs (page) and
 * /api/docs-json (document), readable without a token: it describes the
 * routes, not data. Request bodies come from the DTO classes (the Nest CLI's
 * swagger plugin reads their class-validator rules at build time); who may
 * call each route and its problem answers come from the route decorators.
 */
export function serveOpenApi(app: INestApplication, title: string, description: string): void {
  const config = new DocumentBuilder()
    .setTitle(title)
    .setDescription(description)
    .addBearerAuth()
    .build();
  const controllers = [...app.get(ModulesContainer).values()].flatMap((module) =>
    [...module.controllers.values()].map((wrapper) => wrapper.metatype as Type),
  );
  SwaggerModule.setup('api/docs', app, () =>
    describeAccessAndProblems(SwaggerModule.createDocument(app, config), routeAccess(controllers)),
  );
}
