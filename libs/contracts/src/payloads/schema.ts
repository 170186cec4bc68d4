/** A class-validator DTO class (payload classes take no constructor arguments). */
export type DtoClass = new () => object;

/** How one version of one message type is validated: the readable payload and, if any, its encrypted `pii`. */
export interface PayloadSchema {
  payload: DtoClass;
  pii?: DtoClass;
}

/** The schemas of a group of message types, by type and version. */
export type PayloadSchemas = Readonly<Record<string, Readonly<Record<number, PayloadSchema>>>>;

/**
 * The plain JSON value a DTO class describes: its fields as an object type
 * (a class instance type has no index signature, so it would not pass as the
 * `Record<string, unknown>` of an envelope's payload).
 */
export type DtoOf<C> = C extends new () => infer I ? { [K in keyof I]: I[K] } : never;
