type DtoClass = new () => object;

/** How one version of one message type is validated: the readable payload and, if any, its encrypted `pii`. */
export interface PayloadSchema {
  payload: DtoClass;
  pii?: DtoClass;
}

/** The schemas of a group of message types, by type and version. */
export type PayloadSchemas = Readonly<Record<string, Readonly<Record<number, PayloadSchema>>>>;
