import { Test } from '@nestjs/testing';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { CityNodeModule } from '../city-node.module';
import { cityNodeConfigFromEnv } from '../city-node.config';

describe('city-node GET /health', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CityNodeModule.forConfig(
          cityNodeConfigFromEnv({ NODE_CODE: '511500', NODE_NAME: '宜宾市' }),
        ),
      ],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
  });

  afterAll(() => app.close());

  it('answers with the node it serves', async () => {
    const res = await request(app.getHttpServer()).get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok', app: 'city-node', node: '511500', name: '宜宾市' });
  });
});
