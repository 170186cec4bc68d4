export * from './data-source';
export * from './transactions';
export * from './migration-columns';
export * from './copy-to-postgres';
export * from './row-inserts';
