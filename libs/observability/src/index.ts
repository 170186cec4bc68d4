export * from './app-metrics';
export * from './exchange-log-line';
