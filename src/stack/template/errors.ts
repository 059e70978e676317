/** @module The one error the template engine throws, and how it names a place in a template. */

/** A template or its inputs are invalid; `message` names the place (resource, parameter, function) and the reason. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Throws a TemplateError prefixed with the place, Heat's way: `resources.web.properties.cmd: reason`. */
export function fail(path: string, message: string): never {
  throw new TemplateError(path ? `${path}: ${message}` : message);
}
