export const COORDINATOR_CONFIG = Symbol('COORDINATOR_CONFIG');
/** the coordinator's key pairs; the Ed25519 one signs every directory entry */
export const COORDINATOR_KEYS = Symbol('COORDINATOR_KEYS');
