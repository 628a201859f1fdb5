import type { ComponentType } from 'react'
import { createBrowserRouter, Navigate } from 'react-router'
import { AccountLayout } from './components/AccountLayout.tsx'
import { NotFoundPage, RouteErrorPage } from './pages/NotFoundPage.tsx'
import { RootRedirect } from './pages/RootRedirect.tsx'

/**
 * Every page is a chunk of its own, fetched by the router when its route matches (before it renders, so there is
 * no Suspense fallback to flash): a first visit downloads the shell and the pages it shows, not the whole app, and
 * the chart library only travels with the pages that draw charts. Sizes: docs/benchmarks.md.
 */
function page<Name extends string>(load: () => Promise<Record<Name, ComponentType>>, name: Name) {
  return () => load().then((module) => ({ Component: module[name] }))
}

export const router = createBrowserRouter([
  {
    errorElement: <RouteErrorPage />,
    children: [
      { path: '/', element: <RootRedirect /> },
      { path: '/sign-in', lazy: page(() => import('./pages/SignInPage.tsx'), 'SignInPage') },
      { path: '/sign-up', lazy: page(() => import('./pages/SignUpPage.tsx'), 'SignUpPage') },
      { path: '/oauth/consent/:uid', lazy: page(() => import('./pages/ConsentPage.tsx'), 'ConsentPage') },
      { path: '/invite/:token', lazy: page(() => import('./pages/InvitePage.tsx'), 'InvitePage') },
      {
        path: '/a/:accountId',
        element: <AccountLayout />,
        children: [
          { index: true, element: <Navigate to="home" replace /> },
          { path: 'home', lazy: page(() => import('./pages/HomePage.tsx'), 'HomePage') },
          { path: 'projects', lazy: page(() => import('./pages/ProjectsPage.tsx'), 'ProjectsPage') },
          { path: 'team', lazy: page(() => import('./pages/TeamPage.tsx'), 'TeamPage') },
          { path: 'keys', lazy: page(() => import('./pages/KeysPage.tsx'), 'KeysPage') },
          { path: 'webhooks', lazy: page(() => import('./pages/WebhooksPage.tsx'), 'WebhooksPage') },
          { path: 'activity', lazy: page(() => import('./pages/ActivityPage.tsx'), 'ActivityPage') },
          { path: 'history', lazy: page(() => import('./pages/HistoryPage.tsx'), 'HistoryPage') },
        ],
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
])
