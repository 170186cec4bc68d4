import { ProblemError } from '@yipanqi/http-api';
import { RuleProblem } from './rule-problem';

/** What the flows of this folder share when staff send: the same answers for the same failures. */

const TITLES: Record<RuleProblem['status'], string> = {
  404: 'Not found',
  409: 'Not possible in this state',
  422: 'The request cannot be carried out',
};

export function problemError(problem: RuleProblem): ProblemError {
  return new ProblemError(problem.status, problem.code, TITLES[problem.status], problem.detail);
}
