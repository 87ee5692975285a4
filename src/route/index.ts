export * from './api';
export { RouteMark, markOf, withoutMark } from './router';
export { checkRules, checkCodes, codeMatcher, ruleFor, STRATEGIES } from './rules';
