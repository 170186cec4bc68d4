import { Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Transactions } from '@yipanqi/persistence';
import { ApiTokens, AuthGuard } from '@yipanqi/http-api';

export const authProviders: Provider[] = [
  {
    provide: ApiTokens,
    inject: [Transactions],
    useFactory: (transactions: Transactions) => new ApiTokens(transactions),
  },
  { provide: APP_GUARD, useClass: AuthGuard },
];
