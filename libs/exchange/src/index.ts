export * from './kafka-settings';
