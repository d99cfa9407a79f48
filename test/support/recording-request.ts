/**
 * Wraps http.request to record every connection attempt. Only the given loopback hosts are really contacted: should the
 * code under test ever let another address through, the attempt is recorded (and fails the test) but never sent.
 */
import http from 'node:http';
import type { RequestFunction } from '../../src/net/safe-fetch.js';

export function recordingRequest(hosts: readonly string[] = ['127.0.0.1']): { request: RequestFunction; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    request: (url, options, callback) => {
      urls.push(url.href);
      if (!hosts.includes(url.hostname)) throw new Error(`test safety: refusing to connect to ${url.hostname}`);
      return http.request(url, options, callback);
    },
  };
}
