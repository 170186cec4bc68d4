export * from './campaign';
export * from './exact-score';
export * from './log-record';
export * from './score-pair';
export * from './terms';
