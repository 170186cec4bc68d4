export const CITY_NODE_CONFIG = Symbol('CITY_NODE_CONFIG');
