// The operator console: every piece of data comes from /api/* with the operator's bearer token, kept in this tab's
// sessionStorage only (gone when the tab closes; never a cookie, so no other site can make the browser use it).
// Data is put into the page with textContent only: nothing the server or a sender wrote is ever parsed as HTML.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const TOKEN_KEY = 'caduceus.console.token';
  const token = () => sessionStorage.getItem(TOKEN_KEY);
  let flowTimer = null;

  function el(tag, text, attrs) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    return e;
  }
  function row(cells, attrs) {
    const tr = el('tr', null, attrs);
    for (const c of cells) {
      if (c instanceof Node) { const td = el('td'); td.appendChild(c); tr.appendChild(td); } else tr.appendChild(el('td', c));
    }
    return tr;
  }
  function status(text, error) {
    $('status').textContent = text || '';
    $('status').className = error ? 'error' : '';
  }

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (token()) headers.Authorization = 'Bearer ' + token();
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit', cache: 'no-store' });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (response.status === 401) status('401: sign in with a token of ./caduceus token --scope caduceus.operator', true);
    else if (response.status === 403) status('403: ' + ((data && data.message) || 'your token lacks the role for this'), true);
    return { status: response.status, data };
  }

  // ---- pages ------------------------------------------------------------------------------------------------------
  const pages = ['flow', 'senders', 'quarantine', 'track', 'proof'];
  function show() {
    const page = pages.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'flow';
    for (const p of pages) {
      $('page-' + p).classList.toggle('active', p === page);
      $('nav-' + p).classList.toggle('active', p === page);
    }
    document.body.dataset.page = page;
    clearInterval(flowTimer);
    status('');
    if (!token() && page !== 'proof') { status('Sign in: paste a token of ./caduceus token --scope caduceus.operator'); return; }
    if (page === 'flow' || page === 'senders') { loadFlow(); flowTimer = setInterval(loadFlow, 2000); }
    if (page === 'quarantine') loadQuarantine();
  }

  async function loadFlow() {
    const { status: code, data } = await api('GET', '/api/flow');
    if (code !== 200) return;
    $('flow-at').textContent = 'as of ' + data.at + (data.metricsEnabled ? '' : ' (metrics are off)');
    const flows = $('flow-table').tBodies[0];
    flows.replaceChildren(...data.flows.map((f) => {
      const acks = Object.entries(f.acknowledged).map(([c, n]) => c + ' ' + n).join(', ');
      const tr = row([f.sender, f.messageType, f.received, acks, f.quarantined],
        { 'data-sender': f.sender, 'data-type': f.messageType });
      tr.children[2].className = 'num received';
      tr.children[4].className = 'num quarantined';
      return tr;
    }));
    const senders = $('senders-table').tBodies[0];
    senders.replaceChildren(...data.senders.map((s) => row([s.sender, s.received, s.lastSeen || '-',
      s.secondsSinceLastSeen === null ? '-' : s.secondsSinceLastSeen], { 'data-sender': s.sender })));
    document.body.dataset.flowLoaded = data.at;
  }

  async function loadQuarantine() {
    const { status: code, data } = await api('GET', '/api/quarantine');
    if (code !== 200) return;
    $('quarantine-table').tBodies[0].replaceChildren(...data.quarantined.map((q) => {
      const actions = el('span');
      const reprocess = el('button', 'Reprocess', { 'data-action': 'reprocess' });
      reprocess.addEventListener('click', () => act(q, 'reprocess'));
      const reason = el('input', null, { placeholder: 'discard reason', 'data-field': 'discard-reason' });
      const discard = el('button', 'Discard', { 'data-action': 'discard' });
      discard.addEventListener('click', () => act(q, 'discard', reason.value));
      const content = el('button', 'Content', { 'data-action': 'content' });
      content.addEventListener('click', () => showContent(q));
      actions.append(reprocess, ' ', reason, discard, ' ', content);
      return row([q.quarantineId, q.originalMessageId, q.reason, q.receivedAt, q.sizeBytes, actions],
        { 'data-quarantine-id': q.quarantineId });
    }));
    $('discarded-table').tBodies[0].replaceChildren(...data.discarded.map((q) => row([q.quarantineId,
      q.originalMessageId, q.discard.reason, q.discard.discardedBy, q.discard.discardedAt],
    { 'data-quarantine-id': q.quarantineId })));
    document.body.dataset.quarantineLoaded = String(Date.now());
  }

  async function act(q, action, reason) {
    const path = '/api/quarantine/' + encodeURIComponent(q.quarantineId) + '/' + action;
    const { status: code, data } = await api('POST', path, action === 'discard' ? { reason } : {});
    const text = action + ' ' + q.quarantineId + ': HTTP ' + code + ' ' + JSON.stringify(data);
    status(text, code >= 400);
    document.body.dataset.lastAction = action + ':' + code;
    await loadQuarantine();
  }

  async function showContent(q) {
    const { status: code, data } = await api('GET', '/api/quarantine/' + encodeURIComponent(q.quarantineId) + '/content');
    $('quarantine-content').textContent = code === 200 ? data.content.replace(/\r/g, '\n')
      : 'HTTP ' + code + ': content is shown to privacy officers only';
    document.body.dataset.lastAction = 'content:' + code;
  }

  // ---- tracker -----------------------------------------------------------------------------------------------------
  function renderTrack(data, into) {
    const stages = el('table', null, { class: 'stages' });
    stages.appendChild(row(['stage', 'state', 'details']));
    for (const s of data.stages || []) {
      const details = Object.entries(s).filter(([k]) => k !== 'stage' && k !== 'state')
        .map(([k, v]) => k + ': ' + (typeof v === 'object' ? JSON.stringify(v) : v)).join('\n');
      const tr = row([s.stage, s.state, details], { 'data-stage': s.stage });
      tr.children[1].className = 'state-' + s.state;
      tr.children[2].style.whiteSpace = 'pre-wrap';
      stages.appendChild(tr);
    }
    into.appendChild(el('h3', 'record ' + (data.recordId || '?') + (data.error ? ' (' + data.error + ')' : '')));
    into.appendChild(stages);
  }
  async function track(path, body) {
    const out = $('track-result');
    out.replaceChildren();
    const { status: code, data } = await api(body ? 'POST' : 'GET', path, body);
    if (!data) { out.textContent = 'HTTP ' + code; return; }
    if (data.records) {
      out.appendChild(el('p', data.recordCount + ' record(s) of patient ' + data.patientPseudonym));
      for (const r of data.records) renderTrack(r, out);
    } else if (data.stages) {
      renderTrack(data, out);
    } else {
      out.textContent = 'HTTP ' + code + ': ' + (data.message || data.error || '');
    }
    document.body.dataset.trackLoaded = code + ':' + (data.recordId || '');
  }

  // ---- proof -------------------------------------------------------------------------------------------------------
  async function fetchProof(recordId) {
    const { status: code, data } = await api('GET', '/api/proofs/' + encodeURIComponent(recordId));
    if (code !== 200) { $('proof-verdict').textContent = 'HTTP ' + code + ' ' + JSON.stringify(data); return; }
    const text = JSON.stringify(data, null, 2);
    $('proof-bundle').value = text;
    const link = $('proof-download');
    link.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    link.download = 'proof-' + recordId + '.json';
    link.hidden = false;
    document.body.dataset.proofLoaded = recordId;
  }
  async function verifyProof() {
    const verdictEl = $('proof-verdict');
    verdictEl.textContent = 'verifying…';
    verdictEl.className = '';
    delete document.body.dataset.verdict;
    const v = await window.CaduceusProof.verify($('proof-bundle').value, $('proof-record-json').value, $('proof-rpc').value);
    const label = { valid: 'VALID', invalid: 'INVALID', undecided: 'COULD NOT DECIDE' }[v.result];
    verdictEl.textContent = label + ': ' + v.summary;
    verdictEl.className = 'verdict-' + v.result;
    $('proof-checks').tBodies[0].replaceChildren(...v.checks.map((c) => row([c.name, c.outcome, c.detail],
      { 'data-check': c.name, 'data-outcome': c.outcome })));
    document.body.dataset.verdict = v.result;
  }

  // ---- wiring ------------------------------------------------------------------------------------------------------
  function signedIn() {
    $('who').textContent = token() ? 'signed in (token kept in this tab only)' : 'not signed in';
  }
  document.addEventListener('DOMContentLoaded', () => {
    $('login').addEventListener('submit', (e) => {
      e.preventDefault();
      const t = $('token').value.trim().replace(/^Bearer\s+/i, '');
      if (t) sessionStorage.setItem(TOKEN_KEY, t);
      $('token').value = '';
      signedIn();
      show();
    });
    $('sign-out').addEventListener('click', () => { sessionStorage.removeItem(TOKEN_KEY); signedIn(); show(); });
    $('track-by-message').addEventListener('submit', (e) => {
      e.preventDefault();
      track('/api/track/by-message?sender=' + encodeURIComponent($('track-sender').value.trim())
        + '&controlId=' + encodeURIComponent($('track-control').value.trim()));
    });
    $('track-by-record').addEventListener('submit', (e) => {
      e.preventDefault();
      track('/api/track/' + encodeURIComponent($('track-record').value.trim()));
    });
    $('track-by-patient').addEventListener('submit', (e) => {
      e.preventDefault();
      track('/api/track/patient', { patientPseudonym: $('track-pseudonym').value.trim() });
    });
    $('proof-fetch').addEventListener('submit', (e) => { e.preventDefault(); fetchProof($('proof-record').value.trim()); });
    $('proof-verify').addEventListener('submit', (e) => { e.preventDefault(); verifyProof(); });
    window.addEventListener('hashchange', show);
    signedIn();
    show();
  });
}());
