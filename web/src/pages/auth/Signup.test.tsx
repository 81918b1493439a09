import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { PublicOnly } from '../../App';
import { AuthProvider } from '../../auth/AuthProvider';
import { Signup } from './Signup';

function renderSignup() {
  return render(
    <MemoryRouter initialEntries={['/signup']}>
      <AuthProvider>
        <Routes>
          <Route element={<PublicOnly />}>
            <Route path="/signup" element={<Signup />} />
          </Route>
          <Route path="/accounts/connect" element={<p>wizard</p>} />
        </Routes>
      </AuthProvider>
    </MemoryRouter>,
  );
}

function jsonResponse(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

describe('Signup', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('validates every field before sending anything', async () => {
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    renderSignup();
    await userEvent.type(screen.getByLabelText(/Work email/), 'alice@localhost');
    await userEvent.type(screen.getByLabelText(/Password/), 'short');
    await userEvent.click(screen.getByRole('button', { name: 'Start free trial' }));

    expect(fetch).not.toHaveBeenCalled();
    expect(screen.getByLabelText(/Organisation/)).toHaveAccessibleDescription(/Enter your organisation’s name/);
    expect(screen.getByLabelText(/Work email/)).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText(/Work email/)).toHaveAccessibleDescription(/valid email address/);
    expect(screen.getByLabelText(/Password/)).toHaveAccessibleDescription(/Use at least 10 characters/);
  });

  it('shows the server’s answer next to the field it is about', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(409, { error: { code: 'email_taken', message: 'an account with this email already exists' } })));
    renderSignup();
    await userEvent.type(screen.getByLabelText(/Organisation/), 'Example Ltd');
    await userEvent.type(screen.getByLabelText(/Work email/), 'alice@example.com');
    await userEvent.type(screen.getByLabelText(/Password/), 'correct horse battery');
    await userEvent.click(screen.getByRole('button', { name: 'Start free trial' }));

    expect(await screen.findByText(/already exists\. Log in instead\?/)).toBeInTheDocument();
    expect(screen.getByLabelText(/Work email/)).toHaveAccessibleDescription(/already exists/);
    expect(screen.getByLabelText(/Password/)).not.toHaveAttribute('aria-invalid');
  });

  it('signs up and goes to the connection wizard', async () => {
    const fetch = vi.fn(async () => jsonResponse(201, { access_token: 'a', refresh_token: 'r', token_type: 'Bearer', expires_in: 900 }));
    vi.stubGlobal('fetch', fetch);
    renderSignup();
    await userEvent.type(screen.getByLabelText(/Organisation/), ' Example Ltd ');
    await userEvent.type(screen.getByLabelText(/Work email/), 'alice@example.com');
    await userEvent.type(screen.getByLabelText(/Password/), 'correct horse battery');
    await userEvent.click(screen.getByRole('button', { name: 'Start free trial' }));

    expect(await screen.findByText('wizard')).toBeInTheDocument();
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/auth/signup');
    expect(JSON.parse(String(init.body))).toEqual({ email: 'alice@example.com', password: 'correct horse battery', organization: 'Example Ltd' });
    expect(localStorage.getItem('vigil.refresh')).toBe('r');
  });
});
