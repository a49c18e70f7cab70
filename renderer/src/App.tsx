import { createHashRouter, Navigate, RouterProvider } from 'react-router';
import { useSession } from './stores/session';
import { LoginScreen } from './features/auth/LoginScreen';
import { ChangePasswordScreen } from './features/auth/ChangePasswordScreen';
import { Layout } from './features/shell/Layout';
import { areas, RoleGate } from './features/routes';

const router = createHashRouter([
  {
    path: '/',
    element: <Layout />,
    children: [
      { index: true, element: <Navigate to="/dashboard" replace /> },
      // Each route follows the menu's role table: a screen the role can't use renders the no-permission page.
      ...areas.flatMap((a) => [
        { path: a.path, element: <RoleGate roles={a.roles}>{a.element}</RoleGate> },
        ...(a.children ?? []).map((c) => ({ path: c.path, element: <RoleGate roles={a.roles}>{c.element}</RoleGate> })),
      ]),
      { path: '*', element: <Navigate to="/dashboard" replace /> },
    ],
  },
]);

export function App() {
  const staff = useSession((s) => s.staff);
  if (!staff) return <LoginScreen />;
  if (staff.mustChangePassword) return <ChangePasswordScreen />;
  return <RouterProvider router={router} />;
}
