import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/**
 * Serves the app's OpenAPI description at /api/docs (page) and
 * /api/docs-json (document), readable without a token: it describes the
 * routes, not data. Request bodies come from the DTO classes (the Nest CLI's
 * swagger plugin reads their class-validator rules at build time).
 */
export function serveOpenApi(app: INestApplication, title: string, description: string): void {
  const config = new DocumentBuilder()
    .setTitle(title)
    .setDescription(description)
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, config));
}
