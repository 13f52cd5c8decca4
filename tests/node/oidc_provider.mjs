// A real OpenID provider for the tests (oidc-provider, the certified Node
// implementation), on loopback. Everything comes from the environment:
//   OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URIS,
//   OIDC_POST_LOGOUT_URIS (space-separated), OIDC_USERS (a JSON file, read at every
//   sign-in so tests can change users and groups between sign-ins):
//   {"alice": {"password": "...", "email": "...", "name": "...", "groups": ["team-a"]}}
// Its pages are plain HTML with no external fonts or scripts: the browser tests send
// traffic to loopback only.
import http from "node:http";
import fs from "node:fs";
import Provider from "oidc-provider";

const env = process.env;
const port = Number(env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const users = () => JSON.parse(fs.readFileSync(env.OIDC_USERS, "utf8"));
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head>` +
  `<body><h1>${esc(title)}</h1>${body}</body></html>`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env.OIDC_CLIENT_ID,
      client_secret: env.OIDC_CLIENT_SECRET,
      redirect_uris: env.OIDC_REDIRECT_URIS.split(" "),
      post_logout_redirect_uris: (env.OIDC_POST_LOGOUT_URIS || "").split(" ").filter(Boolean),
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    },
  ],
  async findAccount(ctx, id) {
    const user = users()[id];
    if (!user) return undefined; // removed at the provider: no sign-in, no token
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          preferred_username: id,
          email: user.email,
          email_verified: true,
          name: user.name,
          groups: user.groups || [],
        };
      },
    };
  },
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "preferred_username"],
    groups: ["groups"],
  },
  scopes: ["openid", "email", "profile", "groups"],
  pkce: { required: () => true },
  cookies: { keys: ["test-only-cookie-signing-key"] },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page(
          "Sign out of the test provider?",
          `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>`,
        );
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
});
provider.proxy = false;

async function readForm(req) {
  let raw = "";
  for await (const chunk of req) raw += chunk;
  return Object.fromEntries(new URLSearchParams(raw));
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (prompt.name === "login") {
    if (action === "login" && req.method === "POST") {
      const form = await readForm(req);
      const user = users()[form.username];
      if (user && user.password === form.password) {
        return provider.interactionFinished(req, res, { login: { accountId: form.username } }, {
          mergeWithLastSubmission: false,
        });
      }
    }
    res.setHeader("Content-Type", "text/html; charset=utf-8");
    const failed = action === "login" ? "<p role=alert>Wrong username or password.</p>" : "";
    return res.end(
      page(
        "Test provider sign-in",
        `${failed}<form method="post" action="/interaction/${esc(uid)}/login">` +
          `<label>Username <input name="username" autocomplete="username"></label>` +
          `<label>Password <input name="password" type="password"></label>` +
          `<button type="submit">Sign in at the provider</button></form>`,
      ),
    );
  }
  // consent: granted at once (a company provider's first-party app)
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(" "));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, {
    mergeWithLastSubmission: true,
  });
}

const callback = provider.callback();
http
  .createServer(async (req, res) => {
    const match = req.url.match(/^\/interaction\/([^/?]+)(?:\/(login))?/);
    if (!match) return callback(req, res);
    try {
      await interaction(req, res, match[1], match[2]);
    } catch (error) {
      res.statusCode = 400;
      res.end(page("Interaction failed", esc(error.message)));
    }
  })
  .listen(port, "127.0.0.1", () => console.log(`ready ${issuer}`));
