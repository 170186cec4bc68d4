export * from './campaign';
export * from './log-record';
export * from './score-pair';
export * from './terms';
