import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { testApp, TEST_PASSWORD, type TestApp } from '../../test/app';
import { createBridge } from './bridge';

let t: TestApp;
let bridge: ReturnType<typeof createBridge>;
let port = 0;
beforeAll(async () => {
  t = await testApp();
  bridge = createBridge({ router: t.router });
  port = (await bridge.listen(0)).port;
});
afterAll(async () => {
  await bridge.close();
  await t.close();
});

function request(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; json: any }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: data ? JSON.parse(data) : null }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('the 127.0.0.1 bridge', () => {
  it('binds to loopback only', () => {
    const addr = bridge.server.address();
    expect(typeof addr === 'object' && addr?.address).toBe('127.0.0.1');
  });

  it('logs in and calls a procedure with the bearer token', async () => {
    const login = await request('POST', '/rpc/auth.login', JSON.stringify({ username: 'admin', password: TEST_PASSWORD }));
    expect(login.status).toBe(200);
    const me = await request('POST', '/rpc/auth.me', '{}', { authorization: `Bearer ${login.json.data.token}` });
    expect(me.json).toEqual({ ok: true, data: expect.objectContaining({ username: 'admin', role: 'admin' }) });
  });

  it('maps errors to HTTP statuses', async () => {
    expect((await request('POST', '/rpc/staff.list', '{}')).status).toBe(401);
    expect((await request('POST', '/rpc/staff.list', '{}', { authorization: `Bearer ${t.tokens.support}` })).status).toBe(403);
    expect((await request('POST', '/rpc/staff.create', '{"username":1}', { authorization: `Bearer ${t.tokens.admin}` })).status).toBe(400);
    expect((await request('POST', '/rpc/nope.nothing', '{}', { authorization: `Bearer ${t.tokens.admin}` })).status).toBe(404);
    expect((await request('POST', '/rpc/auth.login', '{not json')).status).toBe(400);
    expect((await request('POST', '/rpc/auth.login', 'x', { 'content-type': 'text/plain' })).status).toBe(415);
  });

  it('refuses a non-loopback Host header (DNS rebinding)', async () => {
    const r = await request('GET', '/rpc', undefined, { host: 'attacker.example' });
    expect(r.status).toBe(403);
  });

  it('lists every procedure with roles and an input JSON Schema', async () => {
    const r = await request('GET', '/rpc');
    const names = r.json.data.map((p: { name: string }) => p.name);
    expect(names).toContain('staff.create');
    const create = r.json.data.find((p: { name: string }) => p.name === 'staff.create');
    expect(create.roles).toEqual(['admin']);
    expect(create.input.type).toBe('object');
    expect(create.input.properties.role.enum).toEqual(['admin', 'finance', 'support']);
  });
});
