export * from './data-source';
export * from './transactions';
