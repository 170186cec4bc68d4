export * from './canonical-json';
export * from './hash';
export * from './node-keys';
export * from './pii-encryption';
export * from './signature';
