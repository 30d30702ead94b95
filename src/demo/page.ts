/**
 * The demo page's HTML. Static: everything about the visitor is filled in by /demo/app.js through
 * the SDK, so nothing from a request is ever written into the markup. The one inline block is the
 * stylesheet, allowed by the response's CSP nonce.
 */
import { html } from 'hono/html'

/** The page; `nonce` must match the `style-src` of its Content-Security-Policy. */
export function demoPage(nonce: string) {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>edge-session demo</title>
        <link rel="icon" href="data:," />
        <style nonce="${nonce}">
          :root {
            color-scheme: light dark;
            --line: #8884;
            --accent: #2563eb;
          }
          body {
            font:
              15px/1.5 system-ui,
              sans-serif;
            max-width: 60rem;
            margin: 2rem auto;
            padding: 0 1rem;
          }
          header p {
            margin-top: 0;
            opacity: 0.75;
          }
          main {
            display: grid;
            grid-template-columns: repeat(auto-fit, minmax(26rem, 1fr));
            gap: 1rem;
          }
          section {
            border: 1px solid var(--line);
            border-radius: 0.5rem;
            padding: 0 1rem 1rem;
          }
          h2 {
            font-size: 1.05rem;
          }
          dl {
            display: grid;
            grid-template-columns: max-content 1fr;
            gap: 0.25rem 1rem;
            margin: 0;
          }
          dd {
            margin: 0;
            font-family: ui-monospace, monospace;
            overflow-wrap: anywhere;
          }
          pre {
            background: #8881;
            padding: 0.5rem;
            border-radius: 0.25rem;
            overflow: auto;
            margin: 0.5rem 0 0;
          }
          form,
          .row {
            display: flex;
            gap: 0.5rem;
            flex-wrap: wrap;
            align-items: center;
            margin-top: 0.5rem;
          }
          input,
          select,
          button {
            font: inherit;
            padding: 0.3rem 0.6rem;
          }
          input {
            flex: 1;
            min-width: 8rem;
          }
          ul {
            padding-left: 1.2rem;
            margin: 0.5rem 0 0;
          }
          li {
            margin: 0.2rem 0;
          }
          li button {
            margin-left: 0.5rem;
            padding: 0 0.4rem;
          }
          .badge {
            display: inline-block;
            padding: 0 0.5rem;
            border-radius: 1rem;
            background: #8883;
            font-family: system-ui, sans-serif;
          }
          .badge.account {
            background: var(--accent);
            color: white;
          }
          .muted,
          small {
            opacity: 0.7;
          }
          #error {
            border: 1px solid #dc2626;
            background: #dc262618;
            border-radius: 0.5rem;
            padding: 0.5rem 1rem;
            margin-bottom: 1rem;
          }
          .wide {
            grid-column: 1 / -1;
          }
        </style>
        <script type="module" src="/demo/app.js"></script>
      </head>
      <body data-state="loading">
        <header>
          <h1>edge-session demo</h1>
          <p>
            Anonymous first: you already have a session. Make something, then sign in with a magic
            link and watch it carry over. Served because <code>DEMO=true</code>; never in
            production.
          </p>
        </header>
        <div id="error" role="alert" hidden></div>
        <main>
          <section>
            <h2>Who you are</h2>
            <dl>
              <dt>User</dt>
              <dd id="user-id">…</dd>
              <dt>Kind</dt>
              <dd><span id="user-kind" class="badge">…</span></dd>
              <dt>Email</dt>
              <dd id="user-email">…</dd>
              <dt>Session</dt>
              <dd id="session-id">…</dd>
              <dt>Expires</dt>
              <dd id="session-expires">…</dd>
            </dl>
            <p class="muted">
              The session lives in HttpOnly cookies: this page's scripts cannot read them.
            </p>
          </section>

          <section>
            <h2>Preferences</h2>
            <form id="theme-form">
              <label for="theme">Theme</label>
              <select id="theme">
                <option value="system">system</option>
                <option value="light">light</option>
                <option value="dark">dark</option>
              </select>
              <button id="save-theme" type="submit">Save</button>
            </form>
            <pre id="preferences">{}</pre>
          </section>

          <section>
            <h2>Documents</h2>
            <form id="document-form">
              <input id="doc-title" placeholder="Title" aria-label="Title" />
              <input id="doc-content" placeholder="Content" aria-label="Content" />
              <button id="create-doc" type="submit">Create</button>
            </form>
            <ul id="documents"></ul>
          </section>

          <section>
            <h2>Sign in by magic link</h2>
            <form id="link-form" novalidate>
              <input id="email" type="email" placeholder="you@example.com" aria-label="Email" />
              <button id="send-link" type="submit">Send link</button>
            </form>
            <div class="row">
              <button id="sign-in" type="button" disabled>Sign in from the dev outbox</button>
            </div>
            <p id="link-status" class="muted"></p>
          </section>

          <section id="merge-section" class="wide" hidden>
            <h2>Merge report</h2>
            <pre id="merge"></pre>
          </section>

          <section class="wide">
            <h2>Sessions</h2>
            <ul id="sessions"></ul>
            <div class="row">
              <button id="logout" type="button">Log out</button>
              <button id="logout-all" type="button">Log out everywhere</button>
            </div>
          </section>
        </main>
      </body>
    </html>`
}
