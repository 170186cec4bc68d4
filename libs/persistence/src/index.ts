export * from './data-source';
export * from './transactions';
export * from './migration-columns';
