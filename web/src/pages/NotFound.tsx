import { Link } from 'react-router';
import { EmptyState } from '../components/states';
import { PageHeader } from '../components/ui';
import { useTitle } from '../lib/useTitle';

export function NotFound() {
  useTitle('Not found');
  return (
    <>
      <PageHeader title="Page not found" />
      <EmptyState title="There is nothing at this address." action={<Link to="/">Go to the dashboard</Link>}>
        It may have been moved, or the link was mistyped.
      </EmptyState>
    </>
  );
}
