import { PayloadSchemas } from './schema';

export const MIGRANT_SCHEMAS: PayloadSchemas = {};
