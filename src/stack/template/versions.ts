/**
 * @module HOT versions and which intrinsic functions each one offers, after Heat's HOTemplate classes.
 * Version dates compare as strings ('2016-10-14' < '2017-02-24'), so every check here is a string compare.
 */
import { TemplateError } from './errors.js';

/** The dates Berth accepts as heat_template_version, oldest first. */
export const VERSION_DATES = [
  '2013-05-23', '2014-10-16', '2015-04-30', '2015-10-15', '2016-04-08',
  '2016-10-14', '2017-02-24', '2017-09-01', '2018-03-02', '2018-08-31',
] as const;

/** Release names heat accepts for a version date. */
export const VERSION_ALIASES: Readonly<Record<string, string>> = {
  newton: '2016-10-14', ocata: '2017-02-24', pike: '2017-09-01', queens: '2018-03-02', rocky: '2018-08-31',
};

/** Conditions (the section, resource and output `condition`, `if`) exist from this version on. */
export const CONDITIONS_SINCE = '2016-10-14';

/** The date a heat_template_version value means; anything else is Heat's InvalidTemplateVersion. */
export function versionDateOf(version: unknown): string {
  if (typeof version !== 'string') {
    throw new TemplateError('The template version is invalid: Template version was not provided');
  }
  if ((VERSION_DATES as readonly string[]).includes(version)) return version;
  const alias = Object.prototype.hasOwnProperty.call(VERSION_ALIASES, version) ? VERSION_ALIASES[version] : undefined;
  if (alias !== undefined) return alias;
  const known = [...VERSION_DATES, ...Object.keys(VERSION_ALIASES)].sort().join(', ');
  throw new TemplateError(
    `The template version is invalid: "heat_template_version: ${version}". "heat_template_version" should be one of: ${known}`);
}

/** When a function is in HOT: from `since`, and before `until` (Heat's "Removed" from then on). */
interface Availability { since: string; until?: string }

const ALWAYS = { since: '2013-05-23' };
const CFN = { since: '2013-05-23', until: '2014-10-16' };

/** Every function name any HOT version knows in property values (Heat's `functions` tables). */
const VALUE_FUNCTIONS: Readonly<Record<string, Availability>> = {
  get_param: ALWAYS, get_resource: ALWAYS, get_attr: ALWAYS, list_join: ALWAYS, str_replace: ALWAYS,
  get_file: ALWAYS, resource_facade: ALWAYS,
  Ref: CFN, 'Fn::GetAZs': CFN, 'Fn::Join': CFN, 'Fn::Split': CFN, 'Fn::Replace': CFN, 'Fn::Base64': CFN,
  'Fn::MemberListToMap': CFN, 'Fn::ResourceFacade': CFN,
  'Fn::Select': { since: '2013-05-23', until: '2015-10-15' },
  repeat: { since: '2015-04-30' }, digest: { since: '2015-04-30' },
  str_split: { since: '2015-10-15' },
  map_merge: { since: '2016-04-08' },
  map_replace: { since: '2016-10-14' }, if: { since: '2016-10-14' }, yaql: { since: '2016-10-14' },
  filter: { since: '2017-02-24' }, str_replace_strict: { since: '2017-02-24' },
  make_url: { since: '2017-09-01' }, list_concat: { since: '2017-09-01' }, list_concat_unique: { since: '2017-09-01' },
  contains: { since: '2017-09-01' }, str_replace_vstrict: { since: '2017-09-01' },
};

/** Functions allowed inside condition definitions (Heat's `condition_functions`). */
const CONDITION_FUNCTIONS: Readonly<Record<string, Availability>> = {
  get_param: { since: CONDITIONS_SINCE }, equals: { since: CONDITIONS_SINCE }, not: { since: CONDITIONS_SINCE },
  and: { since: CONDITIONS_SINCE }, or: { since: CONDITIONS_SINCE },
  contains: { since: '2017-09-01' }, yaql: { since: '2017-09-01' },
};

/** Functions heat has that Berth does not evaluate: they need a parent stack, a YAQL engine or availability zones. */
const NOT_IN_BERTH = new Set(['yaql', 'resource_facade', 'make_url', 'Fn::GetAZs', 'Fn::MemberListToMap', 'Fn::ResourceFacade']);

/** Where a one-key map is evaluated: in a value (properties, outputs...) or in a condition. */
export type FunctionContext = 'value' | 'condition';

/**
 * What a one-key map `{name: args}` is in a template of `versionDate`: a function to evaluate ('call'),
 * a plain map ('map': the key is no function name there), or a refusal (the message to raise).
 */
export type FunctionKind = { kind: 'call' } | { kind: 'map' } | { kind: 'refused'; message: string };

const inRange = (a: Availability, date: string): boolean => date >= a.since && (a.until === undefined || date < a.until);
const own = <T>(table: Readonly<Record<string, T>>, name: string): T | undefined =>
  Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;

export function functionKind(name: string, versionDate: string, context: FunctionContext): FunctionKind {
  const value = own(VALUE_FUNCTIONS, name);
  if (context === 'condition') {
    const cond = own(CONDITION_FUNCTIONS, name);
    if (cond !== undefined && inRange(cond, versionDate)) return supported(name);
    if (value === undefined) return { kind: 'map' };
    if (inRange(value, versionDate)) return { kind: 'refused', message: `The function "${name}" is invalid in this context` };
    return notInVersion(name, versionDate);
  }
  if (value === undefined) return { kind: 'map' };
  if (!inRange(value, versionDate)) return notInVersion(name, versionDate);
  return supported(name);
}

function supported(name: string): FunctionKind {
  return NOT_IN_BERTH.has(name) ? { kind: 'refused', message: `Unknown function "${name}": Berth does not support it` } : { kind: 'call' };
}

function notInVersion(name: string, versionDate: string): FunctionKind {
  return { kind: 'refused', message: `The function "${name}" is not supported in this version of HOT (${versionDate})` };
}

/** The functions a template of `versionDate` offers in a context (Heat's tables, removed ones left out), in table order. */
export function functionsOf(versionDate: string, context: FunctionContext): string[] {
  const table = context === 'value' ? VALUE_FUNCTIONS : CONDITION_FUNCTIONS;
  return Object.entries(table).filter(([, a]) => inRange(a, versionDate)).map(([name]) => name);
}
