// One HTTP request from the client as the probe recorded it, mapped to the real server whose page answered.

/** What one `curl` process saw: its exit code, the HTTP status, and the body. */
export interface RequestRecord {
  exit: number;
  http: number;
  body: string;
}

export interface ServerPage {
  host: string;
  address: string;
  weight: number;
  /** The page `lab up` wrote on this server, e.g. "192.168.2.100\n". */
  page: string;
}

export type Answer =
  | { kind: 'server'; host: string }
  | { kind: 'other'; http: number; firstLine: string }
  | { kind: 'error'; exit: number; http: number };

export function normalizePage(s: string): string {
  return s.replace(/\r\n/g, '\n').trim();
}

export function classify(r: RequestRecord, servers: ServerPage[]): Answer {
  if (r.exit !== 0) return { kind: 'error', exit: r.exit, http: r.http };
  const body = normalizePage(r.body);
  const match = servers.filter((s) => normalizePage(s.page) === body);
  if (r.http >= 200 && r.http < 300 && match.length === 1) return { kind: 'server', host: match[0]!.host };
  return { kind: 'other', http: r.http, firstLine: (body.split('\n')[0] ?? '').slice(0, 60) };
}

/** Not curl's: a batched request whose TCP connection was reused (the server ignored `Connection: close`), so LVS made no new pick. */
export const REUSED_CONNECTION = 1001;

/** curl's exit codes that a broken LVS produces, in words. */
export function curlReason(exit: number): string {
  switch (exit) {
    case 7:
      return 'refused';
    case 28:
      return 'timed out';
    case 52:
      return 'empty reply';
    case 56:
      return 'reset';
    case 6:
      return 'no such host';
    case 127:
      return 'curl not installed';
    case REUSED_CONNECTION:
      return 'reused a connection: the server ignored Connection: close';
    default:
      return `curl exit ${exit}`;
  }
}

/** A short token for a sequence line: the host, or what went wrong. */
export function answerToken(a: Answer): string {
  if (a.kind === 'server') return a.host;
  if (a.kind === 'error') return `(${curlReason(a.exit)})`;
  return a.http >= 200 && a.http < 300 ? '(other page)' : `(HTTP ${a.http || '?'})`;
}

export function sequenceText(answers: Answer[]): string {
  return answers.map(answerToken).join(' ');
}
