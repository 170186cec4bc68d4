export * from './directory-entry';
export * from './directory-rules';
export * from './directory-view';
export * from './divisions';
export * from './registration';
