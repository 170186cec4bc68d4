import { PayloadSchemas } from './schema';

export const TASK_SCHEMAS: PayloadSchemas = {};
