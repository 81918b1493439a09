import { useEffect } from 'react';

/** Sets the document title ("Findings · Vigil"), which screen readers announce on navigation. */
export function useTitle(title: string) {
  useEffect(() => {
    document.title = title ? `${title} · Vigil` : 'Vigil';
  }, [title]);
}
