export const CITY_NODE_CONFIG = Symbol('CITY_NODE_CONFIG');
export const NODE_KEYS = Symbol('NODE_KEYS');
export const PEER_KEYS = Symbol('PEER_KEYS');
