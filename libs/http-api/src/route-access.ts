import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { PUBLIC_KEY, ROLES_KEY } from './access.decorators';

/** Who may call one route, as its decorators declare it. */
export interface RouteAccess {
  /** e.g. `POST /agreements/:id/propose` */
  route: string;
  roles: string[] | undefined;
  isPublic: boolean;
}

/**
 * Every route of the given controllers with its declared access, read from
 * Nest's metadata. Each app's route-access spec checks the result, so that a
 * route without roles (outside the app's explicit public list) fails a test.
 */
export function routeAccess(controllers: Type[]): RouteAccess[] {
  return controllers.flatMap((controller) => {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const prototype = controller.prototype as Record<string, object>;
    return Object.getOwnPropertyNames(prototype)
      .filter((name) => name !== 'constructor')
      .map((name) => prototype[name])
      .filter((handler) => Reflect.getMetadata(PATH_METADATA, handler) !== undefined)
      .map((handler) => {
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        const path = String(Reflect.getMetadata(PATH_METADATA, handler));
        const full = ['', base, path].join('/').replace(/\/+/g, '/').replace(/\/$/, '');
        const declared = (key: string): unknown =>
          Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, controller);
        return {
          route: `${method} ${full}`,
          roles: declared(ROLES_KEY) as string[] | undefined,
          isPublic: Boolean(declared(PUBLIC_KEY)),
        };
      });
  });
}
