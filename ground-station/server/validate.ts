/**
 * Schema validation at the edge, compiled once at start-up with TypeBox's
 * compiler. The same compiled checks serve REST (as fastify's validator
 * compiler) and WebSocket messages, so both report the same SCHEMA_INVALID
 * details: every failing JSON path with what was expected.
 */
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';

export interface SchemaProblem {
  path: string;
  message: string;
}

export type Validator = (value: unknown) => SchemaProblem[];

const MAX_REPORTED_PROBLEMS = 8;

export function compileValidator(schema: TSchema): Validator {
  const check: TypeCheck<TSchema> = TypeCompiler.Compile(schema);
  return (value) => {
    if (check.Check(value)) return [];
    const problems: SchemaProblem[] = [];
    for (const e of check.Errors(value)) {
      // A union fails once per branch; the first message per path is the useful one.
      if (problems.some((p) => p.path === e.path)) continue;
      problems.push({ path: e.path || '/', message: e.message });
      if (problems.length >= MAX_REPORTED_PROBLEMS) break;
    }
    return problems;
  };
}

/** "/text: Expected string; /foo: Unexpected property" — for the human-readable message. */
export function describeProblems(problems: SchemaProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join('; ');
}
