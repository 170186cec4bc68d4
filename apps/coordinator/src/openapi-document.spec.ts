import { Type } from '@nestjs/common';
import { createAppLog } from '@yipanqi/observability';
import {
  documentOf,
  operationCount,
  statusFindings,
  successAnswerFindings,
} from '../../../tests/support/openapi-document';
import { coordinatorConfigFromEnv } from './coordinator.config';
import { CoordinatorModule } from './coordinator.module';

describe('the coordinator OpenAPI document', () => {
  const controllers = CoordinatorModule.forConfig(
    coordinatorConfigFromEnv({}),
    createAppLog({ app: 'coordinator', level: 'silent' }),
  ).controllers as Type[];

  it('documents the success answer of every operation, with a schema that resolves', async () => {
    const document = await documentOf(controllers);
    expect(operationCount(document)).toBeGreaterThan(15);
    expect(successAnswerFindings(document)).toEqual([]);
  });

  it('documents the status each route answers with', async () => {
    expect(statusFindings(await documentOf(controllers), controllers)).toEqual([]);
  });
});
