import { ref, type Ref } from 'vue';
import type { Problem } from './problems';
import { ApiProblem } from './session';

/** One list of the inbox: its rows, and the API's refusal when it would not give them. */
export function useSection<T>(load: () => Promise<T[]>) {
  const rows = ref([]) as Ref<T[]>;
  const problem = ref<Problem | null>(null);
  const loading = ref(false);
  async function reload(): Promise<void> {
    loading.value = true;
    try {
      rows.value = await load();
      problem.value = null;
    } catch (err) {
      rows.value = [];
      problem.value = asProblem(err);
    } finally {
      loading.value = false;
    }
  }
  return { rows, problem, loading, reload };
}

/** A failed call as a problem; a network failure too, so the page always says something. */
export function asProblem(err: unknown): Problem {
  if (err instanceof ApiProblem) return err.problem;
  return { status: 0, code: 'NETWORK', title: `无法连接节点：${String(err)}` };
}

/** The API's finding for one form field, shown under that field. */
export function fieldError(problem: Problem | null, field: string): string {
  return (
    problem?.errors
      ?.filter((e) => e.field === field)
      .map((e) => e.problem)
      .join('；') ?? ''
  );
}
