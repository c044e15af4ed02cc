// Limits applied to every operation on both transports. Apollo's validationRules and plugins
// never see graphql-ws subscriptions, so the rules live here and each transport applies them.

import { GraphQLError, Kind, type ASTVisitor, type ValidationContext, type ValidationRule } from 'graphql';

export const MAX_DEPTH = 12;
export const MAX_ALIASES = 30;

/** Rejects selections nested deeper than `max` fields (fragments are followed). */
export function depthLimit(max = MAX_DEPTH): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map(context.getDocument().definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d]] : [])));
    const depthOf = (node: { selectionSet?: { selections: readonly any[] } }, depth: number, seen: Set<string>): number => {
      if (!node.selectionSet) return depth;
      let deepest = depth;
      for (const sel of node.selectionSet.selections) {
        if (sel.kind === Kind.FIELD) {
          deepest = Math.max(deepest, sel.selectionSet ? depthOf(sel, depth + 1, seen) : depth + 1);
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(sel, depth, seen));
        } else if (sel.kind === Kind.FRAGMENT_SPREAD && !seen.has(sel.name.value)) {
          const frag = fragments.get(sel.name.value);
          if (frag) deepest = Math.max(deepest, depthOf(frag, depth, new Set([...seen, sel.name.value])));
        }
        if (deepest > max) return deepest;
      }
      return deepest;
    };
    return {
      OperationDefinition(op) {
        const depth = depthOf(op, 0, new Set());
        if (depth > max) {
          context.reportError(
            new GraphQLError(`query depth ${depth} exceeds the limit of ${max}`, { nodes: [op], extensions: { code: 'LIMIT_EXCEEDED' } }),
          );
        }
      },
    };
  };
}

/** Rejects operations with more than `max` aliased fields (a cheap amplification vector). */
export function aliasLimit(max = MAX_ALIASES): ValidationRule {
  return (context) => {
    let aliases = 0;
    return {
      Field(node) {
        if (node.alias && ++aliases === max + 1) {
          context.reportError(new GraphQLError(`operation uses more than ${max} aliases`, { nodes: [node], extensions: { code: 'LIMIT_EXCEEDED' } }));
        }
      },
    };
  };
}

export const validationRules: ValidationRule[] = [depthLimit(), aliasLimit()];
