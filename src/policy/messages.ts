/**
 * The 403 messages Berth's APIs give when policy refuses an action, worded as the services Berth emulates
 * word them so that clients and scripts written against them see familiar text.
 */

/** Zun's wording, e.g. `Policy doesn't allow container:create:privileged to be performed.` */
export function zunForbiddenMessage(action: string): string {
  return `Policy doesn't allow ${action} to be performed.`;
}

/** Keystone's wording, e.g. `You are not authorized to perform the requested action: identity:create_project.` */
export function keystoneForbiddenMessage(action: string): string {
  return `You are not authorized to perform the requested action: ${action}.`;
}
