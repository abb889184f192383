/** A start-up problem the person can fix; `npm start` prints its message as one line. */
export class StackError extends Error {}
