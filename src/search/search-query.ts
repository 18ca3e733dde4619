/**
 * The search syntax, parsed into what both databases can run. Plain text is always a valid search: its words must
 * all appear, in any order. On top of that: "a phrase" (those words in a row), `word*` (words starting so),
 * `-word` or `-"a phrase"` (must not appear), and `a OR b` (either). Anything else is text: quotes cannot break
 * out of a term, and FTS5's or PostgreSQL's own operators (NEAR, AND, NOT, :*, &, !) mean nothing special.
 */
export type SearchTerm = {
  /** A word or "a phrase" as typed, without quotes or `*`: each database splits it into words its own way. */
  text: string;
  /** `word*`: any word starting with `text`. */
  prefix: boolean;
};

/** Matches what has every clause of `all` (a clause: any of its terms) and none of `none`. */
export type SearchQuery = { all: SearchTerm[][]; none: SearchTerm[] };

/** A search that cannot be run; the message says what to change. */
export class SearchSyntaxError extends Error {}

/** Words as search sees them: a letter or digit, then letters, digits and combining marks. */
export const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;
const ONE_WORD = /^[\p{L}\p{N}][\p{L}\p{N}\p{M}]*$/u;

type Token = { kind: 'or'; at: number } | { kind: 'term'; at: number; term: SearchTerm; negated: boolean };

export function parseSearch(input: string): SearchQuery {
  const clauses = group(tokenize(input));
  const all: SearchTerm[][] = [];
  const none: SearchTerm[] = [];
  for (const clause of clauses) {
    const negated = clause.filter((token) => token.negated);
    if (negated.length > 0 && clause.length > 1) {
      throw new SearchSyntaxError(`an excluded term (-) cannot be one side of OR (at character ${negated[0]!.at + 1})`);
    }
    // Terms without a letter or digit are left out: PostgreSQL indexes no punctuation, symbols or emoji, SQLite
    // some (emoji), and a search should find the same in both.
    const terms = clause.map((token) => token.term).filter(hasWords);
    if (terms.length === 0) continue;
    if (negated.length > 0) none.push(terms[0]!);
    else all.push(terms);
  }
  if (all.length === 0) {
    throw new SearchSyntaxError('nothing to search for: give at least one word of letters or digits, not excluded');
  }
  return { all, none };
}

const hasWords = (term: SearchTerm) => /[\p{L}\p{N}]/u.test(term.text);

/** The words of a text, lowercased, as search compares them. */
export const wordsOf = (text: string) => Array.from(text.matchAll(WORD), ([word]) => word.toLowerCase());

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    if (isSpace(input[i]!)) {
      i += 1;
      continue;
    }
    const at = i;
    const negated = input[i] === '-' && i + 1 < input.length && !isSpace(input[i + 1]!);
    if (negated) i += 1;
    if (input[i] === '"') {
      const close = input.indexOf('"', i + 1);
      if (close < 0) throw new SearchSyntaxError(`the quote at character ${i + 1} is not closed`);
      const text = input.slice(i + 1, close);
      i = close + 1;
      if (input[i] === '*') {
        throw new SearchSyntaxError(`a prefix (*) goes after a word, not a quoted phrase (at character ${i + 1})`);
      }
      tokens.push({ kind: 'term', at, negated, term: { text, prefix: false } });
      continue;
    }
    let end = i;
    while (end < input.length && !isSpace(input[end]!) && input[end] !== '"') end += 1;
    const word = input.slice(i, end);
    i = end;
    if (word === 'OR' && !negated) {
      tokens.push({ kind: 'or', at });
      continue;
    }
    const text = word.replace(/\*+$/, '');
    const prefix = text !== word;
    if (prefix && text !== '' && !ONE_WORD.test(text)) {
      throw new SearchSyntaxError(`a prefix search (${word}) takes one word of letters and digits before the *`);
    }
    tokens.push({ kind: 'term', at, negated, term: { text, prefix: prefix && text !== '' } });
  }
  return tokens;
}

/** Terms joined by OR form one clause; every other term is a clause of its own. */
function group(tokens: Token[]): Extract<Token, { kind: 'term' }>[][] {
  const clauses: Extract<Token, { kind: 'term' }>[][] = [];
  let pendingOr: Token | undefined;
  for (const token of tokens) {
    if (token.kind === 'or') {
      if (clauses.length === 0 || pendingOr) throw orWithoutTerms(token.at);
      pendingOr = token;
    } else if (pendingOr) {
      clauses.at(-1)!.push(token);
      pendingOr = undefined;
    } else {
      clauses.push([token]);
    }
  }
  if (pendingOr) throw orWithoutTerms(pendingOr.at);
  return clauses;
}

const orWithoutTerms = (at: number) =>
  new SearchSyntaxError(`OR needs a term on each side (at character ${at + 1}); search for "OR" in quotes`);

const isSpace = (char: string) => /\s/u.test(char);
