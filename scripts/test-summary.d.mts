export interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests?: number;
}
export function summarize(reports: VitestReport[], failedSteps: string[]): { lines: string[]; exitCode: number };
