// A real OpenID Provider on loopback for the tests: panva's certified oidc-provider, run as a
// Google-shaped issuer (/google) and one Microsoft-shaped issuer per tenant (/<tid>/v2.0), plus
// Microsoft's multi-tenant "organizations" endpoints, in ONE node process on 127.0.0.1.
//
// Started by tests/oidc_provider.py, which passes the configuration in the environment variable
// OIDC_HARNESS (JSON: {token, signing_jwk, foreign_jwk}) and reads the first stdout line
// ({"port": N}). Accounts, clients and the tamper control arrive over /__harness/* (loopback,
// bearer token). Everything is kept in memory; the process lives for one pytest session.
//
// Plain http on 127.0.0.1: no `proxy` setting is needed because the issuer is the address the
// requests really arrive at (http://127.0.0.1:<port>/...); oidc-provider marks cookies `secure`
// only when the request is secure, so over http they are plain SameSite=Lax cookies. Cookie names
// carry the issuer's slug because cookies ignore the port and every issuer shares host 127.0.0.1.
import http from 'node:http';
import { Buffer } from 'node:buffer';

import Provider from 'oidc-provider';
import { CompactSign, importJWK } from 'jose';

const config = JSON.parse(process.env.OIDC_HARNESS || '{}');
const PRIVATE_FIELDS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];
const publicJwk = Object.fromEntries(
  Object.entries(config.signing_jwk).filter(([field]) => !PRIVATE_FIELDS.includes(field)),
);
const signingKey = await importJWK(config.signing_jwk, 'RS256');
const foreignKey = await importJWK(config.foreign_jwk, 'RS256');

let base; // http://127.0.0.1:<port>, known once listening
const accounts = { google: new Map(), microsoft: new Map() }; // login (lower-case) -> account
const clients = { google: new Map(), microsoft: new Map() }; // client_id -> client metadata
const providers = new Map(); // mount path -> { provider, callback, store, kind, tid, label }
let tamper = null; // what to do to the NEXT ID token a token endpoint returns
let lastToken = null; // the last token response's ID token (after any tampering), for the tests

const epoch = () => Math.floor(Date.now() / 1000);
const b64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const escapeHtml = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// An in-memory adapter per issuer. Clients come from the harness registry of that issuer's kind,
// so a client added later (or changed) is seen at once; oidc-provider re-reads adapter clients.
function makeAdapter(kind) {
  const store = new Map();
  class Adapter {
    constructor(model) {
      this.model = model;
    }

    key(id) {
      return `${this.model}:${id}`;
    }

    async upsert(id, payload) {
      store.set(this.key(id), { ...payload });
      if (this.model === 'Session') store.set(`sessionUid:${payload.uid}`, id);
      if (payload.grantId) {
        const members = store.get(`grant:${payload.grantId}`) || new Set();
        members.add(this.key(id));
        store.set(`grant:${payload.grantId}`, members);
      }
    }

    async find(id) {
      if (this.model === 'Client') return clients[kind].get(id);
      return store.get(this.key(id));
    }

    async findByUid(uid) {
      return this.find(store.get(`sessionUid:${uid}`));
    }

    async findByUserCode() {
      return undefined;
    }

    async consume(id) {
      const payload = store.get(this.key(id));
      if (payload) payload.consumed = epoch();
    }

    async destroy(id) {
      store.delete(this.key(id));
    }

    async revokeByGrantId(grantId) {
      for (const key of store.get(`grant:${grantId}`) || []) store.delete(key);
      store.delete(`grant:${grantId}`);
    }
  }
  return { Adapter, store };
}

function accountFor(kind, tid, sub) {
  for (const account of accounts[kind].values()) {
    if (account.sub === sub && (kind === 'google' || account.tid === tid)) return account;
  }
  return undefined;
}

// Google puts hd (Workspace accounts) and Microsoft puts tid in every ID token, so both ride on the
// openid scope; conformIdTokenClaims: false puts the scope's claims in the ID token as they do.
const CLAIMS = {
  google: {
    openid: ['sub', 'hd'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'picture', 'locale'],
  },
  microsoft: {
    openid: ['sub', 'tid'],
    email: ['email'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username', 'oid'],
  },
};

function makeProvider(kind, mount, tid) {
  const slug = kind === 'google' ? 'google' : `ms_${tid.replace(/[^A-Za-z0-9]/g, '')}`;
  const { Adapter, store } = makeAdapter(kind);
  const provider = new Provider(`${base}${mount}`, {
    adapter: Adapter,
    jwks: { keys: [config.signing_jwk] },
    claims: CLAIMS[kind],
    conformIdTokenClaims: false,
    // The app must send PKCE (S256, the only method oidc-provider v9 offers) even as a confidential client.
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `${mount}/interaction/${interaction.uid}` },
    cookies: {
      names: { session: `_s_${slug}`, interaction: `_i_${slug}`, resume: `_r_${slug}` },
      keys: [config.token],
    },
    async findAccount(ctx, sub) {
      const account = accountFor(kind, tid, sub);
      if (!account) return undefined;
      return { accountId: account.sub, claims: async () => ({ ...account.claims, sub: account.sub }) };
    },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', `<h1>Sign-in error</h1><pre id="error">${escapeHtml(JSON.stringify(out))}</pre>`);
    },
  });

  // Post-processing of the token endpoint: remember the ID token and apply a pending tamper.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route === 'token' && ctx.status === 200 && ctx.body?.id_token) {
      let idToken = ctx.body.id_token;
      const original = idToken;
      if (tamper) {
        const instruction = tamper;
        tamper = null;
        idToken = await retoken(idToken, instruction);
        ctx.body = { ...ctx.body, id_token: idToken };
      }
      lastToken = { issuer: provider.issuer, id_token: idToken, original_id_token: original };
    }
  });

  const label = kind === 'google' ? 'Google (test provider)' : `Microsoft (test tenant ${tid})`;
  const entry = { provider, callback: provider.callback(), store, kind, tid, label, mount };
  providers.set(mount, entry);
  return entry;
}

// The tampered ID token: claims overridden/removed, then signed by the provider's own key,
// a foreign key under the provider's kid ("forged"), or not at all (alg none).
async function retoken(idToken, { claims = {}, remove = [], signed_with: signedWith = 'provider' }) {
  const [headerPart, payloadPart] = idToken.split('.');
  const header = JSON.parse(Buffer.from(headerPart, 'base64url'));
  const payload = { ...JSON.parse(Buffer.from(payloadPart, 'base64url')), ...claims };
  for (const name of remove) delete payload[name];
  if (signedWith === 'none') {
    return `${b64url({ alg: 'none', typ: header.typ })}.${b64url(payload)}.`;
  }
  const key = signedWith === 'forged' ? foreignKey : signingKey;
  return new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader(header).sign(key);
}

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body><main>${body}</main></body></html>`;
}

function send(res, status, body, type = 'text/html; charset=utf-8', headers = {}) {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

const sendJson = (res, status, value) => send(res, status, JSON.stringify(value), 'application/json');

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

// The provider's own sign-in and consent pages (what Chromium sees, and what
// oidc_provider.sign_in_without_browser fills in with requests).
async function interaction(entry, req, res, uid, action) {
  const { provider, kind, tid, label, mount } = entry;
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, page('Error', '<p>Interaction mismatch.</p>'));
  const client = await provider.Client.find(details.params.client_id);
  const clientName = escapeHtml(client?.clientName || details.params.client_id);
  const action_ = `${mount}/interaction/${uid}`;

  if (req.method === 'POST' && action === 'login') {
    const form = new URLSearchParams(await readBody(req));
    const login = (form.get('login') || '').trim().toLowerCase();
    const account = accounts[kind].get(login);
    if (!account || account.password !== form.get('password') || (kind === 'microsoft' && account.tid !== tid)) {
      return send(res, 200, loginPage(label, clientName, action_, login, 'Wrong e-mail or password.'));
    }
    return provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
  }
  if (req.method === 'POST' && action === 'confirm') {
    const { prompt: { details: missing }, grantId, session, params } = details;
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const result = { consent: { grantId: await grant.save() } };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
  }
  if (req.method === 'GET' && action === 'abort') {
    const result = { error: 'access_denied', error_description: 'End-User aborted interaction' };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }
  if (req.method !== 'GET' || action) return send(res, 405, page('Error', '<p>Not allowed.</p>'));

  if (details.prompt.name === 'login') {
    return send(res, 200, loginPage(label, clientName, action_, details.params.login_hint || ''));
  }
  const scopes = escapeHtml([...(details.prompt.details.missingOIDCScope || [])].join(' '));
  return send(res, 200, page(`${label}: allow access`, `<h1>${escapeHtml(label)}</h1>
<p>${clientName} wants to know who you are (${scopes}).</p>
<form method="post" action="${action_}/confirm"><button type="submit">Continue</button></form>
<p><a href="${action_}/abort">Cancel</a></p>`));
}

function loginPage(label, clientName, action, login, error) {
  return page(`${label}: sign in`, `<h1>${escapeHtml(label)}</h1>
<p>Sign in to continue to ${clientName}</p>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${action}/login">
<label for="login">Email</label> <input id="login" name="login" type="email" value="${escapeHtml(login)}" required>
<label for="password">Password</label> <input id="password" name="password" type="password" required>
<button type="submit">Sign in</button>
</form>`);
}

// Hand a request to the issuer mounted at entry.mount (oidc-provider reads the mount path from
// originalUrl minus url), or to the interaction pages above.
async function mounted(entry, req, res, path) {
  const rest = path.slice(entry.mount.length) || '/';
  const match = rest.match(/^\/interaction\/([^/]+)(?:\/(login|confirm|abort))?$/);
  if (match) return interaction(entry, req, res, match[1], match[2]);
  req.originalUrl = req.url;
  req.url = req.url.slice(entry.mount.length) || '/';
  if (req.url.startsWith('?')) req.url = `/${req.url}`;
  return entry.callback(req, res);
}

function tenantProvider(tid) {
  const mount = `/${tid}/v2.0`;
  return providers.get(mount) || makeProvider('microsoft', mount, tid);
}

// --- Microsoft's multi-tenant ("organizations") endpoints -----------------------------------
// The metadata's issuer is the template .../{tenantid}/v2.0 and its endpoints live under
// /organizations. The authorize endpoint first asks for the account (home-realm discovery, as
// login.microsoftonline.com does) unless login_hint names one, then redirects to the account's
// home tenant's own authorize endpoint with the same query, so the ID token's iss is that tenant's
// issuer and tid its id. The token and userinfo endpoints forward the request to the tenant whose
// store holds the authorization code / access token. All tenants sign with the one key, published
// at the organizations jwks_uri too.

function organizationsMetadata() {
  const orgs = `${base}/organizations`;
  return {
    issuer: `${base}/{tenantid}/v2.0`,
    authorization_endpoint: `${orgs}/oauth2/v2.0/authorize`,
    token_endpoint: `${orgs}/oauth2/v2.0/token`,
    jwks_uri: `${orgs}/discovery/v2.0/keys`,
    userinfo_endpoint: `${orgs}/oidc/userinfo`,
    response_types_supported: ['code'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'tid', 'oid', 'name',
      'given_name', 'family_name', 'email', 'preferred_username'],
    code_challenge_methods_supported: ['S256'],
    grant_types_supported: ['authorization_code'],
    request_uri_parameter_supported: false,
    tenant_region_scope: null,
  };
}

function homeRealmPage(query, login, error) {
  const hidden = [...query.entries()].filter(([name]) => name !== 'login_hint')
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('\n');
  return page('Microsoft (test provider): sign in', `<h1>Microsoft (test provider)</h1>
<p>Sign in with your work or school account</p>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="get" action="/organizations/oauth2/v2.0/authorize">
${hidden}
<label for="login_hint">Email</label> <input id="login_hint" name="login_hint" type="email" value="${escapeHtml(login)}" required>
<button type="submit">Next</button>
</form>`);
}

function forward(req, res, path, body) {
  const headers = { ...req.headers };
  if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
  const upstream = http.request({ host: '127.0.0.1', port: new URL(base).port, method: req.method, path, headers }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', (error) => sendJson(res, 502, { error: 'server_error', error_description: String(error) }));
  upstream.end(body);
}

function tenantHolding(model, id) {
  for (const entry of providers.values()) {
    if (entry.kind === 'microsoft' && id && entry.store.has(`${model}:${id}`)) return entry;
  }
  return undefined;
}

async function organizations(req, res, url) {
  const path = url.pathname;
  if (path === '/organizations/v2.0/.well-known/openid-configuration') return sendJson(res, 200, organizationsMetadata());
  if (path === '/organizations/discovery/v2.0/keys') return sendJson(res, 200, { keys: [publicJwk] });
  if (path === '/organizations/oauth2/v2.0/authorize') {
    const hint = (url.searchParams.get('login_hint') || '').trim().toLowerCase();
    const account = accounts.microsoft.get(hint);
    if (!account) {
      const error = hint ? "We couldn't find an account with that username." : '';
      return send(res, 200, homeRealmPage(url.searchParams, hint, error));
    }
    const query = new URLSearchParams(url.searchParams);
    query.set('login_hint', hint);
    return send(res, 303, '', 'text/plain', { Location: `${tenantProvider(account.tid).mount}/auth?${query}` });
  }
  if (path === '/organizations/oauth2/v2.0/token' && req.method === 'POST') {
    const body = await readBody(req);
    const entry = tenantHolding('AuthorizationCode', new URLSearchParams(body).get('code'));
    if (!entry) return sendJson(res, 400, { error: 'invalid_grant', error_description: 'grant request is invalid' });
    return forward(req, res, `${entry.mount}/token`, body);
  }
  if (path === '/organizations/oidc/userinfo') {
    const token = (req.headers.authorization || '').replace(/^Bearer /i, '');
    const entry = tenantHolding('AccessToken', token);
    if (!entry) return sendJson(res, 401, { error: 'invalid_token' });
    return forward(req, res, `${entry.mount}/me`);
  }
  return sendJson(res, 404, { error: 'not_found' });
}

// --- The harness's control API ---------------------------------------------------------------
async function harness(req, res, url) {
  if (req.headers.authorization !== `Bearer ${config.token}`) return sendJson(res, 401, { error: 'unauthorized' });
  const body = req.method === 'POST' ? JSON.parse((await readBody(req)) || '{}') : {};
  switch (`${req.method} ${url.pathname}`) {
    case 'POST /__harness/accounts': {
      const { provider: kind, login } = body;
      accounts[kind].set(login.toLowerCase(), body);
      if (kind === 'microsoft') tenantProvider(body.tid);
      return sendJson(res, 200, { ok: true });
    }
    case 'POST /__harness/clients':
      for (const kind of body.providers) clients[kind].set(body.metadata.client_id, body.metadata);
      return sendJson(res, 200, { ok: true });
    case 'POST /__harness/tenants':
      return sendJson(res, 200, { issuer: tenantProvider(body.tid).provider.issuer });
    case 'POST /__harness/tamper':
      tamper = body;
      return sendJson(res, 200, { ok: true });
    case 'DELETE /__harness/tamper': {
      const pending = tamper !== null;
      tamper = null;
      return sendJson(res, 200, { pending });
    }
    case 'GET /__harness/last-token':
      return sendJson(res, 200, lastToken || {});
    default:
      return sendJson(res, 404, { error: 'not_found' });
  }
}

async function handle(req, res) {
  const url = new URL(req.url, base);
  const path = url.pathname;
  if (path.startsWith('/__harness/')) return harness(req, res, url);
  if (path.startsWith('/organizations/')) return organizations(req, res, url);
  if (path === '/google' || path.startsWith('/google/')) return mounted(providers.get('/google'), req, res, path);
  const tenant = path.match(/^(\/[^/]+\/v2\.0)(?:\/|$)/);
  if (tenant && providers.has(tenant[1])) return mounted(providers.get(tenant[1]), req, res, path);
  return sendJson(res, 404, { error: 'not_found' });
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((error) => {
    process.stderr.write(`${error.stack}\n`);
    if (!res.headersSent) send(res, 500, page('Error', `<pre>${escapeHtml(error.message)}</pre>`));
  });
});
server.listen(0, '127.0.0.1', () => {
  base = `http://127.0.0.1:${server.address().port}`;
  makeProvider('google', '/google');
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
// Stop with the test session even if pytest is killed: the parent closes our stdin.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
