export const CITY_NODE_CONFIG = Symbol('CITY_NODE_CONFIG');
export const NODE_KEYS = Symbol('NODE_KEYS');
/** the node-local key for personal data at rest (libs/crypto data-at-rest.ts) */
export const DATA_KEY = Symbol('DATA_KEY');
export const PEER_KEYS = Symbol('PEER_KEYS');
