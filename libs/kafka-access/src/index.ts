export * from './access-model';
export * from './connection';
export * from './directory-provisioner';
export * from './kafka-settings';
export * from './pki';
export * from './provisioning';
export * from './topics';
export * from './strimzi';
