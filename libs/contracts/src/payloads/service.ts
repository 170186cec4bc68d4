import { PayloadSchemas } from './schema';

export const SERVICE_SCHEMAS: PayloadSchemas = {};
