/**
 * @module What GET /template_versions/{version}/functions lists: a template version's intrinsic functions
 * with Heat's one-line descriptions (condition functions too when asked). Pure.
 */
import { functionsOf, versionDateOf } from './versions.js';

/** Heat's descriptions (the first line of each function's documentation). */
const DESCRIPTIONS: Readonly<Record<string, string>> = {
  get_param: 'A function for resolving parameter references.',
  get_resource: 'A function for resolving resource references.',
  get_attr: 'A function for resolving resource attributes.',
  get_file: 'A function for including a file inline.',
  list_join: 'A function for joining strings.',
  str_replace: 'A function for performing string substitutions.',
  str_replace_strict: 'A function for performing string substitutions.',
  str_replace_vstrict: 'A function for performing string substitutions.',
  resource_facade: 'A function for retrieving values in a parent template.',
  repeat: 'A function for iterating over a list of items.',
  digest: 'A function for performing digest operations.',
  str_split: 'A function for splitting delimited strings into a list.',
  map_merge: 'A function for merging maps.',
  map_replace: 'A function for performing substitutions on maps.',
  if: 'A function to return corresponding value based on condition evaluation.',
  yaql: 'A function for executing a yaql expression.',
  filter: 'A function for filtering out values from lists.',
  make_url: 'A function for performing substitutions on maps.',
  list_concat: 'A function for extending lists.',
  list_concat_unique: 'A function for extending lists with unique items.',
  contains: 'A function for checking whether specific value is in sequence.',
  equals: 'A function for comparing whether two values are equal.',
  not: 'A function that acts as a NOT operator on a condition.',
  and: 'A function that acts as an AND operator on conditions.',
  or: 'A function that acts as an OR operator on conditions.',
  Ref: 'A function for resolving parameters or resource references.',
  'Fn::GetAZs': 'A function for retrieving the availability zones.',
  'Fn::Join': 'A function for joining strings.',
  'Fn::Split': 'A function for splitting strings.',
  'Fn::Replace': 'A function for performing string substitutions.',
  'Fn::Base64': 'A placeholder function for converting to base64.',
  'Fn::MemberListToMap': 'A function to convert lists with enumerated keys and values to mapping.',
  'Fn::ResourceFacade': 'A function for retrieving data in a parent provider template.',
  'Fn::Select': 'A function for selecting an item from a list or map.',
};

export interface TemplateFunction { functions: string; description: string }

/**
 * The functions of a template version named as Heat's API names it (`heat_template_version.2016-04-08`,
 * or a release alias); undefined for a version Berth does not know.
 */
export function templateFunctions(version: string, withConditions: boolean): TemplateFunction[] | undefined {
  const prefix = 'heat_template_version.';
  if (!version.startsWith(prefix)) return undefined;
  let date: string;
  try {
    date = versionDateOf(version.slice(prefix.length));
  } catch {
    return undefined;
  }
  const names = [...functionsOf(date, 'value'), ...(withConditions ? functionsOf(date, 'condition') : [])];
  return names.map((n) => ({ functions: n, description: DESCRIPTIONS[n] ?? '' }));
}
