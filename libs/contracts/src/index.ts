export * from './config-values';
export * from './envelope';
export * from './message-types';
export * from './node-code';
export * from './payload-schemas';
export * from './payloads/answers';
export * from './payloads/notice';
export * from './topics';
