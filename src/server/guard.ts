// Limits applied to every operation on both transports. Apollo's validationRules and plugins
// never see graphql-ws subscriptions, so the rules and parse options live here and each
// transport applies them: Apollo through validationRules/parseOptions, graphql-ws through
// `parse` and `validate` below, called from its onSubscribe. Depth, cost, aliases and
// directives are graphql-armor's rules; a document's token count is graphql-js's own parse limit.

import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse as parseDocument,
  specifiedRules,
  validate as validateDocument,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ParseOptions,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { limitsConfigSchema, type LimitsConfig } from './limits/config.js';

export interface Guard {
  readonly limits: LimitsConfig;
  readonly parseOptions: ParseOptions;
  /** Added to graphql-js's specified rules. */
  readonly validationRules: ValidationRule[];
  /** Parses under the token limit; a document over it is refused with LIMIT_EXCEEDED. */
  parse(source: string): DocumentNode;
  /** specifiedRules plus ours, with field suggestions hidden when configured. */
  validate(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[];
  /** The same rewriting for any error message that leaves the gateway. */
  hideSuggestions(message: string): string;
  /** Applied to every error a client receives, on either transport. */
  formatForClient(formatted: GraphQLFormattedError): GraphQLFormattedError;
}

const limitExceeded = (message: string) => new GraphQLError(message, { extensions: { code: 'LIMIT_EXCEEDED' } });

/** armor reports through callbacks; ours turn the report into a LIMIT_EXCEEDED validation error. */
function reportAs(): { propagateOnRejection: false; onReject: Array<(ctx: ValidationContext | null, err: GraphQLError) => void> } {
  return {
    propagateOnRejection: false,
    onReject: [(ctx, err) => ctx?.reportError(limitExceeded(err.message.replace(/^Syntax Error: /, '')))],
  };
}

export function limitRules(limits: LimitsConfig): ValidationRule[] {
  const rules: ValidationRule[] = [
    maxDepthRule({ n: limits.depth, flattenFragments: true, ignoreIntrospection: true, ...reportAs() }),
    costLimitRule({ maxCost: limits.cost, flattenFragments: true, ignoreIntrospection: true, ...reportAs() }),
    maxAliasesRule({ n: limits.aliases, ...reportAs() }),
    maxDirectivesRule({ n: limits.directives, ...reportAs() }),
  ] as unknown as ValidationRule[];
  if (!limits.introspection) rules.push(NoSchemaIntrospectionCustomRule);
  return rules;
}

const SUGGESTION = /\s*Did you mean .+\?/g;
// graphql-js spells it "more that"; a later release may fix the typo.
const TOKEN_LIMIT = /Document contains more (?:than|that) (\d+) tokens/;

export function createGuard(limits: LimitsConfig = limitsConfigSchema.parse(undefined)): Guard {
  const validationRules = limitRules(limits);
  const parseOptions: ParseOptions = { maxTokens: limits.tokens };
  const hideSuggestions = (message: string) => (limits.fieldSuggestions ? message : message.replace(SUGGESTION, ''));
  return {
    limits,
    parseOptions,
    validationRules,
    parse(source) {
      try {
        return parseDocument(source, parseOptions);
      } catch (err) {
        throw asLimitError(err, limits.tokens);
      }
    },
    validate(schema, document) {
      return validateDocument(schema, document, [...specifiedRules, ...validationRules]).map((e) =>
        limits.fieldSuggestions ? e : new GraphQLError(hideSuggestions(e.message), { nodes: e.nodes, source: e.source, positions: e.positions, originalError: e.originalError, extensions: e.extensions }),
      );
    },
    hideSuggestions,
    formatForClient(formatted) {
      // Apollo parses with the token limit itself and reports it as a parse failure.
      if (isTokenLimitError(formatted.message)) {
        return { ...formatted, message: `the document has more than ${limits.tokens} tokens; the limit is ${limits.tokens}`, extensions: { ...formatted.extensions, code: 'LIMIT_EXCEEDED' } };
      }
      const message = hideSuggestions(formatted.message);
      return message === formatted.message ? formatted : { ...formatted, message };
    },
  };
}

/** graphql-js reports the token limit as a syntax error; it is a limit, and says so. */
export function asLimitError(err: unknown, tokens: number): unknown {
  if (err instanceof GraphQLError && TOKEN_LIMIT.test(err.message)) {
    return limitExceeded(`the document has more than ${tokens} tokens; the limit is ${tokens}`);
  }
  return err;
}

export const isTokenLimitError = (message: string) => TOKEN_LIMIT.test(message);
