/* global document, window, setInterval, btoa */
/**
 * The Baton dashboard: the runs waiting for a person's decision; runs with their status, cost and duration; a form to
 * submit a goal; charts of cost per task, model usage and guard decisions over time; and a run page whose transcript
 * grows live while the run is going, with its guard decisions and approvals.
 */
import { api, setToken } from './api.js';
import { loadDecisions } from './decisions.js';
import { loadGuards } from './guards.js';
import { loadHealth, loadRuns, loadStats, PAGE_SIZE, renderStats } from './overview.js';
import { cancelRun, showRun, stopFollowing } from './run-view.js';
import { $, showProblem, state } from './ui.js';

/* ---------- goal form ---------- */

/** Media types by extension: browsers often report none for Markdown or audio files. */
const MEDIA_TYPES = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp',
  mp3: 'audio/mpeg', wav: 'audio/wav', m4a: 'audio/mp4', ogg: 'audio/ogg', flac: 'audio/flac', webm: 'audio/webm',
  md: 'text/markdown', txt: 'text/plain', pdf: 'application/pdf',
};

async function readAttachment(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  // In slices: String.fromCharCode over a whole file would exceed the argument limit.
  for (let index = 0; index < bytes.length; index += 0x8000) binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
  const extension = file.name.split('.').pop().toLowerCase();
  return { name: file.name, mimeType: MEDIA_TYPES[extension] || file.type || 'application/octet-stream', dataBase64: btoa(binary) };
}

async function submitGoal(event) {
  event.preventDefault();
  const goal = $('goal').value.trim();
  const error = $('form-error');
  error.hidden = true;
  if (!goal) {
    showProblem(new Error('Write a goal first: what do you want answered?'), error);
    return;
  }
  const labels = { priority: $('priority').value };
  if ($('confidential').checked) labels.confidential = true;
  $('goal-submit').disabled = true;
  try {
    const files = [...$('attachments').files];
    const body = { goal, labels };
    if (files.length) body.attachments = await Promise.all(files.map(readAttachment));
    const { runId } = await api('/api/runs', { method: 'POST', body });
    $('goal').value = '';
    $('attachments').value = '';
    updateCount();
    window.location.hash = `#/runs/${runId}`;
  } catch (problem) {
    showProblem(problem, error);
  } finally {
    $('goal-submit').disabled = false;
  }
}

function updateCount() {
  $('goal-count').textContent = `${$('goal').value.length} / 8000`;
}

/* ---------- wiring ---------- */

/** After a decision: the queue of decisions and the runs list change. */
function decided() {
  void loadDecisions(decided);
  void loadRuns();
}

function showOverview() {
  stopFollowing();
  state.runId = null;
  $('run-view').hidden = true;
  $('overview').hidden = false;
  void loadDecisions(decided);
  void loadRuns();
  void loadStats();
  void loadGuards();
}

function route() {
  const match = /^#\/runs\/([^/]+)$/.exec(window.location.hash);
  if (match) void showRun(decodeURIComponent(match[1]));
  else showOverview();
}

function start() {
  $('goal-form').addEventListener('submit', submitGoal);
  $('goal').addEventListener('input', updateCount);
  $('goal').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) $('goal-form').requestSubmit();
  });
  $('status-filter').addEventListener('change', (event) => {
    state.status = event.target.value;
    state.offset = 0;
    void loadRuns();
  });
  $('prev-page').addEventListener('click', () => {
    state.offset = Math.max(0, state.offset - PAGE_SIZE);
    void loadRuns();
  });
  $('next-page').addEventListener('click', () => {
    state.offset += PAGE_SIZE;
    void loadRuns();
  });
  for (const button of document.querySelectorAll('.toggle button')) {
    button.addEventListener('click', () => {
      state.metric = button.dataset.metric;
      renderStats();
    });
  }
  $('cancel-run').addEventListener('click', cancelRun);
  $('auth-form').addEventListener('submit', (event) => {
    event.preventDefault();
    setToken($('auth-token').value.trim());
    $('auth-panel').hidden = true;
    $('app').hidden = false;
    route();
  });
  window.addEventListener('hashchange', route);
  // Light polling keeps the list and charts current; the run page is pushed live by server-sent events instead.
  setInterval(() => {
    if (document.visibilityState !== 'visible') return;
    state.ticks += 1;
    void loadHealth();
    if (!$('overview').hidden) {
      void loadDecisions(decided);
      void loadRuns();
      if (state.ticks % 3 === 0) {
        void loadStats();
        void loadGuards();
      }
    }
  }, 3000);
  // The first view waits for /healthz: how interrupted runs are described depends on the server's auto-resume.
  void loadHealth().finally(route);
}

start();
