import { PayloadSchemas } from './schema';

export const CERTIFICATE_SCHEMAS: PayloadSchemas = {};
