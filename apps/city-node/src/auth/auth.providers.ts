import { Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ApiTokens, AuthGuard } from '@yipanqi/http-api';

export const authProviders: Provider[] = [
  { provide: ApiTokens, inject: [DataSource], useFactory: (ds: DataSource) => new ApiTokens(ds) },
  { provide: APP_GUARD, useClass: AuthGuard },
];
