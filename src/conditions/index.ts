/**
 * The expectation language (Gatus syntax). Owns: parsing and judging conditions.
 * Must not import anything but core.
 */
export { parseCondition, type Condition, type Operand, type ParseResult } from "./parse.ts";
export { evaluateAll, type ConditionResult, type Judgement } from "./evaluate.ts";
