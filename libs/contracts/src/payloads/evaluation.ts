import { PayloadSchemas } from './schema';

export const EVALUATION_SCHEMAS: PayloadSchemas = {};
