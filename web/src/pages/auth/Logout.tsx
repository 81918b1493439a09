import { useEffect } from 'react';
import { useNavigate } from 'react-router';
import { useAuth } from '../../auth/AuthProvider';
import { Loading } from '../../components/states';
import { useTitle } from '../../lib/useTitle';

/** `/logout`: ends the session on the server and here, then shows the login page. */
export function Logout() {
  useTitle('Logging out');
  const { signOut } = useAuth();
  const navigate = useNavigate();
  useEffect(() => {
    void signOut().then(() => navigate('/login?signedOut=1', { replace: true }));
  }, [signOut, navigate]);
  return (
    <main id="main" className="auth-main">
      <Loading label="Logging out…" />
    </main>
  );
}
