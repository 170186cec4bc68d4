/**
 * Who may call what (DESIGN §6). Roles are not ranked: each route names the
 * roles it admits, so giving someone `admin` (keys, configuration, exchange
 * monitor) does not silently let them do staff work, and vice versa.
 */
export const ROLES = ['admin', 'coordinator', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
