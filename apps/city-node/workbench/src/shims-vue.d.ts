// ESLint's type-aware rules read the .ts files with plain TypeScript, which
// cannot open a .vue file; vue-tsc resolves the real components instead.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent;
  export default component;
}
