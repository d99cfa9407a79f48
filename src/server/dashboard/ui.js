/* global document */
/** State and helpers shared by the dashboard's views. */
import { ApiProblem } from './api.js';

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/**
 * What the views share: the list's page and filter, the chart metric, the last stats, the run being watched, and
 * whether the server resumes interrupted runs on its own (from /healthz; until it has answered, not assumed).
 */
export const state = { offset: 0, status: '', metric: 'auto', stats: null, stopFollowing: null, runId: null, ticks: 0, autoResume: false };

/** How an interrupted run is described: it is resumed on its own only when the server says auto-resume is on. */
export function interruptedText() {
  return state.autoResume ? 'interrupted · will be resumed automatically' : 'interrupted';
}

/** Shows an error where it belongs: the token form for a 401, otherwise the message (and hint) in `target`. */
export function showProblem(error, target) {
  if (error instanceof ApiProblem && error.status === 401) {
    $('auth-panel').hidden = false;
    $('app').hidden = true;
    return;
  }
  const message = error instanceof ApiProblem ? `${error.message}${error.hint ? ` (${error.hint})` : ''}` : String(error.message || error);
  if (target) {
    target.textContent = message;
    target.hidden = false;
  }
}
