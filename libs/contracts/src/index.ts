export * from './config-values';
export * from './node-code';
export * from './topics';
