export * from './canonical-json';
export * from './data-at-rest';
export * from './hash';
export * from './node-keys';
export * from './pii-encryption';
export * from './signature';
