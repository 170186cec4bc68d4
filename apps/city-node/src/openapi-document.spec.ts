import { Type } from '@nestjs/common';
import { createAppLog } from '@yipanqi/observability';
import {
  documentOf,
  operationCount,
  statusFindings,
  successAnswerFindings,
} from '../../../tests/support/openapi-document';
import { cityNodeConfigFromEnv } from './city-node.config';
import { CityNodeModule } from './city-node.module';

describe('the city node OpenAPI document', () => {
  const controllers = CityNodeModule.forConfig(
    cityNodeConfigFromEnv({}),
    createAppLog({ app: 'city-node', level: 'silent' }),
  ).controllers as Type[];

  it('documents the success answer of every operation, with a schema that resolves', async () => {
    const document = await documentOf(controllers);
    expect(operationCount(document)).toBeGreaterThan(50);
    expect(successAnswerFindings(document)).toEqual([]);
  });

  it('documents the status each route answers with', async () => {
    expect(statusFindings(await documentOf(controllers), controllers)).toEqual([]);
  });
});
