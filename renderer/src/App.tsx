import { createHashRouter, Navigate, RouterProvider } from 'react-router';
import { useSession } from './stores/session';
import { LoginScreen } from './features/auth/LoginScreen';
import { ChangePasswordScreen } from './features/auth/ChangePasswordScreen';
import { Layout } from './features/shell/Layout';
import { areas } from './features/routes';

const router = createHashRouter([
  {
    path: '/',
    element: <Layout />,
    children: [
      { index: true, element: <Navigate to="/dashboard" replace /> },
      ...areas.flatMap((a) => [{ path: a.path, element: a.element }, ...(a.children ?? [])]),
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
