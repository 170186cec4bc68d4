export * from './app-metrics';
export * from './exchange-log-line';
export * from './http-metrics';
export * from './logging';
export * from './metrics.controller';
export * from './observability.module';
export * from './readiness';
