import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** An answer as tests/support/scenario.ts `send` returns it. */
export interface Answer {
  status: number;
  type?: string;
  body: unknown;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}
interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

/**
 * OpenAPI 3.0 schemas as JSON Schema for ajv: `nullable` becomes a union with
 * null (ajv's own `nullable` does not reach into `allOf`, which is how the
 * generator writes a nullable class), and component refs point into `$defs`.
 */
function jsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(jsonSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const { nullable, ...rest } = schema as Record<string, unknown>;
  const converted = Object.fromEntries(
    Object.entries(rest).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string'
        ? value.replace('#/components/schemas/', '#/$defs/')
        : jsonSchema(value),
    ]),
  );
  return nullable === true ? { anyOf: [converted, { type: 'null' }] } : converted;
}

/**
 * Checks real answers against the OpenAPI document of the app that gave
 * them: the app's live `/api/docs-json`, fetched once per app, and one
 * compiled schema per operation and status.
 */
export class OpenApiAnswers {
  private readonly ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  private readonly documents = new Map<string, Promise<OpenApiDocument>>();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly kept: { url: string; route: string; answer: Answer }[] = [];

  /** Keeps an answer to check later with the others (`problems`). */
  keep(url: string, route: string, answer: Answer): void {
    this.kept.push({ url, route, answer });
  }

  /** What is wrong with the kept answers, one line each; none when all are as documented. */
  async problems(): Promise<string[]> {
    const found = await Promise.all(
      this.kept.map(({ url, route, answer }) => this.problemsOf(url, route, answer)),
    );
    return found.flat();
  }

  /**
   * What is wrong with one answer of `route` (`POST /migrants/arrivals`, the
   * path as the document writes it): its status must be a documented one and
   * its body must validate against that status's schema.
   */
  async problemsOf(url: string, route: string, answer: Answer): Promise<string[]> {
    const [method, path] = route.split(' ');
    const document = await this.document(url);
    const operation = document.paths[path]?.[method.toLowerCase()];
    if (!operation) return [`${route}: not in the document of ${url}`];
    const documented = operation.responses[String(answer.status)];
    if (!documented || answer.status >= 300) {
      return [`${route}: answered ${answer.status}, which is not a documented success`];
    }
    const [mediaType, media] = Object.entries(documented.content ?? {})[0] ?? [];
    if (!media?.schema) {
      return answer.body === undefined
        ? []
        : [`${route} ${answer.status}: a body, none documented`];
    }
    if (answer.type !== undefined && !answer.type.startsWith(mediaType)) {
      return [`${route} ${answer.status}: ${answer.type}, documented ${mediaType}`];
    }
    const validate = this.validator(url, `${route} ${answer.status}`, document, media.schema);
    if (validate(answer.body)) return [];
    return (validate.errors ?? []).map(
      (e) => `${route} ${answer.status}: ${e.instancePath || '(body)'} ${e.message ?? ''}`,
    );
  }

  private document(url: string): Promise<OpenApiDocument> {
    let document = this.documents.get(url);
    if (!document) {
      document = fetch(`${url}/api/docs-json`).then(async (res) => {
        if (!res.ok) throw new Error(`${url}/api/docs-json answered ${res.status}`);
        return (await res.json()) as OpenApiDocument;
      });
      this.documents.set(url, document);
    }
    return document;
  }

  private validator(
    url: string,
    key: string,
    document: OpenApiDocument,
    schema: unknown,
  ): ValidateFunction {
    const id = `${url} ${key}`;
    let validate = this.validators.get(id);
    if (!validate) {
      validate = this.ajv.compile({
        $defs: jsonSchema(document.components?.schemas ?? {}),
        allOf: [jsonSchema(schema)],
      });
      this.validators.set(id, validate);
    }
    return validate;
  }
}
