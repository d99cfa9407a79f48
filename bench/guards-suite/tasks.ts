/** Every task of the injection suite, by vector. */
import { DOCUMENT_TASKS } from './tasks-documents.js';
import { EMAIL_TASKS } from './tasks-email.js';
import { GOAL_TASKS } from './tasks-goal.js';
import { PAGE_TASKS } from './tasks-pages.js';
import { TOOL_TASKS } from './tasks-tools.js';
import type { InjectionTask } from './task.js';

export const ALL_TASKS: readonly InjectionTask[] = [...DOCUMENT_TASKS, ...EMAIL_TASKS, ...PAGE_TASKS, ...TOOL_TASKS, ...GOAL_TASKS];
