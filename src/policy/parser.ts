/**
 * Parser for the oslo.policy rule language used by Berth's policy engine.
 *
 * Grammar (keywords are case-insensitive, `not` binds tighter than `and`, which binds tighter than `or`):
 *
 *   expr    := andExpr ( "or" andExpr )*
 *   andExpr := notExpr ( "and" notExpr )*
 *   notExpr := "not" notExpr | atom
 *   atom    := "(" expr ")" | "@" | "!" | check
 *   check   := kind ":" match
 *
 * An empty rule text always passes. Like oslo.policy, words are separated by whitespace and parentheses are
 * peeled off the start and end of a word, so `(role:admin or project_id:%(project_id)s)` tokenizes as expected.
 * Quoted text (single or double quotes) may contain whitespace, e.g. `'a b':%(name)s`.
 */

/** Thrown for invalid rule text or rule sets (syntax errors, cycles, bad files). */
export class PolicyError extends Error {
  /** The rule the error is about, when there is one. */
  readonly rule: string | undefined;
  constructor(message: string, rule?: string) {
    super(message);
    this.name = 'PolicyError';
    this.rule = rule;
  }
}

/** One piece of a match template: literal text, or a `%(field)s` substitution from the target. */
export type TemplatePart = { lit: string } | { field: string };

/** A match template, e.g. `%(project_id)s` or `admin`. */
export interface Template {
  parts: TemplatePart[];
}

/** The left side of a generic check: a path into the credentials, or a quoted/constant literal. */
export type GenericKind = { path: string[] } | { literal: string };

export type RuleNode =
  | { t: 'true' }
  | { t: 'false' }
  | { t: 'and'; items: RuleNode[] }
  | { t: 'or'; items: RuleNode[] }
  | { t: 'not'; item: RuleNode }
  | { t: 'rule'; name: string }
  | { t: 'role'; match: Template }
  | { t: 'generic'; kind: GenericKind; match: Template };

type Token =
  | { k: '(' }
  | { k: ')' }
  | { k: 'and' }
  | { k: 'or' }
  | { k: 'not' }
  | { k: 'check'; text: string };

/** Internal syntax error; converted to a PolicyError naming the rule by parseRule(). */
class SyntaxFault extends Error {}

const KEYWORDS = new Set(['and', 'or', 'not']);
const KIND_RE = /^[A-Za-z0-9_.-]+$/;
const FIELD_RE = /^[^()%]+$/;
const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function isQuote(c: string): boolean {
  return c === "'" || c === '"';
}

/** Splits rule text into whitespace-separated words, keeping quoted runs (which may contain spaces) intact. */
function splitWords(text: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) break;
    let word = '';
    while (i < text.length && !/\s/.test(text[i])) {
      const c = text[i];
      if (isQuote(c)) {
        const end = text.indexOf(c, i + 1);
        if (end < 0) throw new SyntaxFault(`unterminated quote starting at offset ${i}`);
        word += text.slice(i, end + 1);
        i = end + 1;
      } else {
        word += c;
        i++;
      }
    }
    words.push(word);
  }
  return words;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const word of splitWords(text)) {
    let start = 0;
    let end = word.length;
    while (start < end && word[start] === '(') {
      tokens.push({ k: '(' });
      start++;
    }
    let closing = 0;
    while (end > start && word[end - 1] === ')') {
      closing++;
      end--;
    }
    // A trailing ")" that closes a "%(field)" substitution belongs to the check, not to the grouping.
    let core = word.slice(start, end);
    while (closing > 0 && /%\([^()]*$/.test(core)) {
      core += ')';
      closing--;
    }
    if (core.length > 0) {
      const lower = core.toLowerCase();
      if (KEYWORDS.has(lower)) tokens.push({ k: lower as 'and' | 'or' | 'not' });
      else tokens.push({ k: 'check', text: core });
    }
    for (let n = 0; n < closing; n++) tokens.push({ k: ')' });
  }
  return tokens;
}

function unquote(s: string): string | undefined {
  if (s.length >= 2 && isQuote(s[0]) && s[s.length - 1] === s[0]) return s.slice(1, -1);
  return undefined;
}

/** Parses `%(field)s` substitutions; `%%` is a literal percent sign. */
function parseTemplate(text: string): Template {
  const parts: TemplatePart[] = [];
  let lit = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '%') {
      lit += c;
      i++;
      continue;
    }
    if (text[i + 1] === '%') {
      lit += '%';
      i += 2;
      continue;
    }
    if (text[i + 1] !== '(') throw new SyntaxFault(`bad substitution in "${text}": expected %(name)s`);
    const close = text.indexOf(')', i + 2);
    if (close < 0 || text[close + 1] !== 's') {
      throw new SyntaxFault(`bad substitution in "${text}": expected %(name)s`);
    }
    const field = text.slice(i + 2, close);
    if (!FIELD_RE.test(field)) throw new SyntaxFault(`bad substitution field "${field}" in "${text}"`);
    if (lit) parts.push({ lit });
    lit = '';
    parts.push({ field });
    i = close + 2;
  }
  if (lit) parts.push({ lit });
  return { parts };
}

function parseCheck(text: string): RuleNode {
  if (text === '@') return { t: 'true' };
  if (text === '!') return { t: 'false' };

  // Find the separating colon; a quoted kind may itself contain colons.
  let colon: number;
  if (isQuote(text[0])) {
    const end = text.indexOf(text[0], 1);
    colon = end + 1;
    if (text[colon] !== ':') throw new SyntaxFault(`expected ":" after quoted literal in "${text}"`);
  } else {
    colon = text.indexOf(':');
  }
  if (colon < 0) throw new SyntaxFault(`"${text}" is not a check (expected kind:match, "@" or "!")`);
  const rawKind = text.slice(0, colon);
  const rawMatch = text.slice(colon + 1);
  if (rawKind.length === 0) throw new SyntaxFault(`missing kind before ":" in "${text}"`);
  if (rawMatch.length === 0) throw new SyntaxFault(`missing match after ":" in "${text}"`);
  const matchText = unquote(rawMatch) ?? rawMatch;

  if (rawKind === 'rule') {
    if (matchText.includes('%')) throw new SyntaxFault(`rule reference "${text}" may not use substitutions`);
    return { t: 'rule', name: matchText };
  }
  if (rawKind === 'role') return { t: 'role', match: parseTemplate(matchText) };
  if (rawKind === 'http' || rawKind === 'https') {
    throw new SyntaxFault(`remote "${rawKind}" checks are not supported in "${text}"`);
  }

  const quoted = unquote(rawKind);
  let kind: GenericKind;
  if (quoted !== undefined) kind = { literal: quoted };
  else if (rawKind === 'True' || rawKind === 'False' || NUMBER_RE.test(rawKind)) kind = { literal: rawKind };
  else if (KIND_RE.test(rawKind) && !rawKind.split('.').includes('')) kind = { path: rawKind.split('.') };
  else throw new SyntaxFault(`invalid check kind "${rawKind}" in "${text}"`);
  return { t: 'generic', kind, match: parseTemplate(matchText) };
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): RuleNode {
    if (this.tokens.length === 0) return { t: 'true' };
    const node = this.expr();
    const extra = this.tokens[this.pos];
    if (extra) throw new SyntaxFault(`unexpected ${describe(extra)}`);
    return node;
  }

  private expr(): RuleNode {
    const items = [this.andExpr()];
    while (this.tokens[this.pos]?.k === 'or') {
      this.pos++;
      items.push(this.andExpr());
    }
    return items.length === 1 ? items[0] : { t: 'or', items };
  }

  private andExpr(): RuleNode {
    const items = [this.notExpr()];
    while (this.tokens[this.pos]?.k === 'and') {
      this.pos++;
      items.push(this.notExpr());
    }
    return items.length === 1 ? items[0] : { t: 'and', items };
  }

  private notExpr(): RuleNode {
    if (this.tokens[this.pos]?.k === 'not') {
      this.pos++;
      return { t: 'not', item: this.notExpr() };
    }
    return this.atom();
  }

  private atom(): RuleNode {
    const tok = this.tokens[this.pos];
    if (!tok) throw new SyntaxFault('unexpected end of rule');
    if (tok.k === '(') {
      this.pos++;
      const inner = this.expr();
      const close = this.tokens[this.pos];
      if (close?.k !== ')') throw new SyntaxFault(close ? `expected ")" but found ${describe(close)}` : 'missing ")"');
      this.pos++;
      return inner;
    }
    if (tok.k === 'check') {
      this.pos++;
      return parseCheck(tok.text);
    }
    throw new SyntaxFault(`unexpected ${describe(tok)}`);
  }
}

function describe(tok: Token): string {
  return tok.k === 'check' ? `"${tok.text}"` : `"${tok.k}"`;
}

/** Parses one rule's text. Throws PolicyError naming `name` on a syntax error. */
export function parseRule(name: string, text: string): RuleNode {
  try {
    return new Parser(tokenize(text)).parse();
  } catch (e) {
    if (e instanceof SyntaxFault) {
      throw new PolicyError(`Invalid policy rule "${name}": ${e.message} (rule text: ${JSON.stringify(text)})`, name);
    }
    throw e;
  }
}

/** Names of the rules a parsed rule refers to with `rule:name`. */
export function ruleReferences(node: RuleNode, out: Set<string> = new Set()): Set<string> {
  switch (node.t) {
    case 'rule':
      out.add(node.name);
      break;
    case 'and':
    case 'or':
      for (const item of node.items) ruleReferences(item, out);
      break;
    case 'not':
      ruleReferences(node.item, out);
      break;
    default:
      break;
  }
  return out;
}
