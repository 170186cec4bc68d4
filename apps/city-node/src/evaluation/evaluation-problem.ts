import { ProblemError } from '@yipanqi/http-api';
import { Checked } from './evaluation-input';

/** The value of a checked input, or its problem as the API answers it. */
export function evaluationProblem<T>(checked: Checked<T>): T {
  if ('value' in checked) return checked.value;
  const { status, code, detail } = checked.problem;
  throw new ProblemError(status, code, 'The evaluation request is not valid', detail);
}
