import { createBrowserRouter, Navigate } from 'react-router'
import { AccountLayout } from './components/AccountLayout.tsx'
import { HistoryPage } from './pages/HistoryPage.tsx'
import { HomePage } from './pages/HomePage.tsx'
import { InvitePage } from './pages/InvitePage.tsx'
import { KeysPage } from './pages/KeysPage.tsx'
import { NotFoundPage, RouteErrorPage } from './pages/NotFoundPage.tsx'
import { ProjectsPage } from './pages/ProjectsPage.tsx'
import { RootRedirect } from './pages/RootRedirect.tsx'
import { SignInPage } from './pages/SignInPage.tsx'
import { SignUpPage } from './pages/SignUpPage.tsx'
import { TeamPage } from './pages/TeamPage.tsx'
import { WebhooksPage } from './pages/WebhooksPage.tsx'

export const router = createBrowserRouter([
  {
    errorElement: <RouteErrorPage />,
    children: [
      { path: '/', element: <RootRedirect /> },
      { path: '/sign-in', element: <SignInPage /> },
      { path: '/sign-up', element: <SignUpPage /> },
      { path: '/invite/:token', element: <InvitePage /> },
      {
        path: '/a/:accountId',
        element: <AccountLayout />,
        children: [
          { index: true, element: <Navigate to="home" replace /> },
          { path: 'home', element: <HomePage /> },
          { path: 'projects', element: <ProjectsPage /> },
          { path: 'team', element: <TeamPage /> },
          { path: 'keys', element: <KeysPage /> },
          { path: 'webhooks', element: <WebhooksPage /> },
          {
            path: 'activity',
            // Its own chunk: the chart library is most of the bundle, and only this page draws charts.
            lazy: () => import('./pages/ActivityPage.tsx').then((page) => ({ Component: page.ActivityPage })),
          },
          { path: 'history', element: <HistoryPage /> },
        ],
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
])
