import { createRouter, createWebHistory } from 'vue-router';
import { SECTIONS } from './sections';
import { session } from './session';
import InboxPage from './views/InboxPage.vue';
import NotBuiltPage from './views/NotBuiltPage.vue';
import SignInPage from './views/SignInPage.vue';
import WorkbenchLayout from './views/WorkbenchLayout.vue';

export const router = createRouter({
  history: createWebHistory('/workbench/'),
  routes: [
    { path: '/sign-in', name: 'sign-in', component: SignInPage, meta: { title: '登录' } },
    {
      path: '/',
      component: WorkbenchLayout,
      children: [
        { path: '', redirect: { name: 'inbox' } },
        ...SECTIONS.map((s) => ({
          path: s.path,
          name: s.path,
          component: s.ready ? InboxPage : NotBuiltPage,
          meta: { title: s.title },
        })),
      ],
    },
    { path: '/:unknown(.*)', redirect: { name: 'inbox' } },
  ],
});

router.beforeEach((to) => {
  if (to.name !== 'sign-in' && !session.token) {
    return { name: 'sign-in', query: to.fullPath === '/' ? {} : { next: to.fullPath } };
  }
  return true;
});

router.afterEach((to) => {
  const title = typeof to.meta.title === 'string' ? to.meta.title : '';
  document.title = `${title} · 一盘棋 协作工作台`;
});
