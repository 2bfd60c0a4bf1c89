/** The development sign-in's sample users by role, for the message `medcomm serve` prints. */
import { DEV_USERS } from '../shared/api/dev-tokens.js';
import { GROUPS, type Group } from '../shared/api/roles.js';

export function describeUsers(): string {
  const byRole = new Map<Group, string[]>(GROUPS.map((g) => [g, []]));
  for (const [user, role] of Object.entries(DEV_USERS)) byRole.get(role)!.push(user);
  return [...byRole].map(([role, users]) => `${role}: ${users.join(', ')}`).join('; ');
}
